namespace RecFeed.State;

/// <summary>One snapshot written: how many users are past the start, its size and how long writing it took.</summary>
public readonly record struct StateSnapshot(ulong DatasetId, ulong UsersPastStart, long Bytes, TimeSpan Elapsed);
