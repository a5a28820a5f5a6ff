using System.Diagnostics;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// What the fast lane (<see cref="EpollTransportOptions.Lane"/>) needs of its loop: scratch buffers every lane
/// connection of the loop shares (one runs at a time, and none keeps bytes in them between events), and a sweep once
/// a second that closes lane connections idle beyond Kestrel's keep-alive timeout.
/// </summary>
internal sealed partial class EpollLoop
{
    /// <summary>Received bytes the lane answers from; below the input pipe's smallest pause threshold, so a hand-off never waits.</summary>
    public const int LaneInputSize = 8 * 1024;

    /// <summary>Answers sent per batch; below the output pipe's pause threshold for the same reason.</summary>
    public const int LaneOutputSize = 16 * 1024;

    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(1);

    private long _laneIdleTicks;
    private Timer? _sweep;

    /// <summary>When the loop last woke with events: the start of its busy time, the lane's idle clock and its requests' start.</summary>
    public long WokenAt { get; private set; }

    public byte[] LaneInput { get; } = new byte[LaneInputSize];

    public byte[] LaneOutput { get; } = new byte[LaneOutputSize];

    private void StartSweeping(EpollTransportOptions options)
    {
        if (options.Lane is null)
            return;
        _laneIdleTicks = (long)(options.LaneIdleTimeout.TotalSeconds * Stopwatch.Frequency);
        _sweep = new Timer(static s => ((EpollLoop)s!).Schedule(static l => ((EpollLoop)l!).CloseIdleLaneConnections(), s), this, SweepPeriod, SweepPeriod);
    }

    private void StopSweeping() => _sweep?.Dispose();

    private void CloseIdleLaneConnections()
    {
        var now = Stopwatch.GetTimestamp();
        for (var slot = 0; slot < _used; slot++)
            if (_slots[slot] is { } connection && connection.LaneIdle(now, _laneIdleTicks))
                connection.Close(null);
    }

    /// <summary>
    /// <paramref name="listener"/> stops accepting: the connections the lane still holds for it end now, with a FIN,
    /// as Kestrel ends its idle keep-alive connections on a stop (a lane connection has no request in flight between events).
    /// </summary>
    public void CloseLaneConnections(EpollListener listener) => Schedule(static s =>
    {
        var (loop, listener) = ((EpollLoop, EpollListener))s!;
        for (var slot = 0; slot < loop._used; slot++)
            if (loop._slots[slot] is { } connection && connection.LaneListener == listener)
                connection.Close(null);
    }, (this, listener));
}
