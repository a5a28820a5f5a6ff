namespace RecFeed.Feed;

/// <summary>
/// What the deltas of one process did, for /metrics and alerts: files applied, rejected (corrupt, truncated, for another
/// base, out of order) and superseded (older than the base file they do not match: left over from before a rollout,
/// not an error), and users given a new list. Each file is judged once per process. Written by one reload at a time.
/// </summary>
public sealed class DeltaStatistics
{
    private long _applied;
    private long _rejected;
    private long _superseded;
    private long _usersReplaced;

    public long Applied => Volatile.Read(ref _applied);
    public long Rejected => Volatile.Read(ref _rejected);
    public long Superseded => Volatile.Read(ref _superseded);

    /// <summary>Rows of applied deltas: a user listed in two deltas counts twice.</summary>
    public long UsersReplaced => Volatile.Read(ref _usersReplaced);

    internal void RecordApplied(ulong users)
    {
        Interlocked.Increment(ref _applied);
        Interlocked.Add(ref _usersReplaced, (long)users);
    }

    internal void RecordRejected() => Interlocked.Increment(ref _rejected);

    internal void RecordSuperseded() => Interlocked.Increment(ref _superseded);
}
