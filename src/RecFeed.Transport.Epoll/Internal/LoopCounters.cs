namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// One loop's share of <see cref="EpollTransportMetrics"/>. Accepts, pauses, hand-offs and busy time are written by the loop's
/// thread alone, as plain fields. Closes, held bytes and the paused and blocked connections use atomics: once a loop has exited, the last work scheduled
/// on it runs on the threads that scheduled it.
/// </summary>
internal sealed class LoopCounters
{
    public long Accepted;
    public long AcceptPauses;
    public long HandedOff;
    public long BusyTicks;
    public long InputHeld;
    public long OutputHeld;
    public long InputPaused;
    public long OutputBlocked;
    public readonly long[] Closed = new long[Enum.GetValues<EpollCloseReason>().Length];
}
