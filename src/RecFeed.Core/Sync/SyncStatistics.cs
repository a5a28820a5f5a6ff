namespace RecFeed.Sync;

/// <summary>
/// What the position sync did, for <c>/metrics</c>: rounds by result, whether Redis is reachable now, users and
/// bytes each way. Written by <see cref="PositionSync"/> only (one loop), read by scrapes; no lock.
/// </summary>
public sealed class SyncStatistics
{
    private long _rounds, _failedRounds, _reconciles, _usersSent, _usersTakenIn, _bytesSent, _bytesReceived, _intervalTicks;
    private int _up;

    /// <summary>Whether a sync is configured at all; without one /metrics shows none of these.</summary>
    public bool Configured { get; set; }

    public long Rounds => Volatile.Read(ref _rounds);
    public long FailedRounds => Volatile.Read(ref _failedRounds);
    /// <summary>Full comparisons with Redis: at start, after every reconnect, after a new dataset.</summary>
    public long Reconciles => Volatile.Read(ref _reconciles);
    public long UsersSent => Volatile.Read(ref _usersSent);
    /// <summary>Users moved forward to a position a peer (or Redis at a reconcile) had.</summary>
    public long UsersTakenIn => Volatile.Read(ref _usersTakenIn);
    public long BytesSent => Volatile.Read(ref _bytesSent);
    public long BytesReceived => Volatile.Read(ref _bytesReceived);
    public bool Up => Volatile.Read(ref _up) == 1;

    public TimeSpan Interval
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _intervalTicks));
        set => Volatile.Write(ref _intervalTicks, value.Ticks);
    }

    internal void Succeeded()
    {
        Interlocked.Increment(ref _rounds);
        Volatile.Write(ref _up, 1);
    }

    internal void Failed()
    {
        Interlocked.Increment(ref _failedRounds);
        Volatile.Write(ref _up, 0);
    }

    internal void Reconciled() => Interlocked.Increment(ref _reconciles);
    internal void Sent(long users) => Interlocked.Add(ref _usersSent, users);
    internal void TookIn(long users) => Interlocked.Add(ref _usersTakenIn, users);

    internal void Transferred(long sent, long received)
    {
        Interlocked.Add(ref _bytesSent, sent);
        Interlocked.Add(ref _bytesReceived, received);
    }
}
