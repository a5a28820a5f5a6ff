namespace RecFeed.State;

/// <summary>
/// What snapshots did, for <c>/metrics</c>. "Last success" is the last time the state file was known to hold every
/// read position: a snapshot written, or a round that found nothing had moved. So an idle server does not look stale,
/// and a server whose writes fail does, however busy it is. Written by <see cref="StateKeeper"/>; no lock.
/// </summary>
public sealed class SnapshotStatistics
{
    private long _written;
    private long _failures;
    private long _bytes;
    private long _lastSuccessUnixMs;
    private long _lastDurationTicks;
    private long _intervalTicks;

    /// <summary>At start the state file was just restored (or there is none and nothing has moved): it is current.</summary>
    public SnapshotStatistics() => UpToDate();

    public long Written => Volatile.Read(ref _written);
    public long Failures => Volatile.Read(ref _failures);
    public long BytesWritten => Volatile.Read(ref _bytes);
    /// <summary>Unix seconds; 0 before the first round.</summary>
    public double LastSuccessUnixSeconds => Volatile.Read(ref _lastSuccessUnixMs) / 1000.0;
    /// <summary>Of the last snapshot written.</summary>
    public double LastDurationSeconds => TimeSpan.FromTicks(Volatile.Read(ref _lastDurationTicks)).TotalSeconds;

    /// <summary>The configured time between rounds; alert rules compare the last success against it.</summary>
    public TimeSpan Interval
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _intervalTicks));
        set => Volatile.Write(ref _intervalTicks, value.Ticks);
    }

    public StateSnapshot Record(StateSnapshot snapshot)
    {
        Volatile.Write(ref _lastDurationTicks, snapshot.Elapsed.Ticks);
        Interlocked.Add(ref _bytes, snapshot.Bytes);
        Interlocked.Increment(ref _written);
        UpToDate();
        return snapshot;
    }

    /// <summary>Nothing had moved since the last snapshot: the file on disk is current.</summary>
    public void UpToDate() => Volatile.Write(ref _lastSuccessUnixMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public void Failed() => Interlocked.Increment(ref _failures);
}
