namespace RecFeed.Sharding;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/>: it holds the users with <c>userId mod Count == Index</c>, stored
/// densely at row <c>userId div Count</c>. Modulo rather than ranges so a router needs only the shard count, never a
/// table of boundaries, and users spread evenly whatever ids are active.
/// </summary>
public readonly record struct ShardSpec
{
    /// <summary>A single-machine file: shard 0 of 1.</summary>
    public static ShardSpec Whole => new(0, 1);

    public ShardSpec(uint index, uint count)
    {
        ArgumentOutOfRangeException.ThrowIfZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        (Index, Count) = (index, count);
    }

    public uint Index { get; }
    public uint Count { get; }

    /// <summary>How many of the global users 0..<paramref name="totalUsers"/>-1 fall into this shard.</summary>
    public ulong UserCount(ulong totalUsers) => totalUsers > Index ? (totalUsers - Index - 1) / Count + 1 : 0;

    public bool Owns(ulong userId) => userId % Count == Index;

    public ulong LocalRow(ulong userId) => userId / Count;

    public ulong GlobalUser(ulong localRow) => localRow * Count + Index;

    /// <summary>
    /// Where a multi-shard writer puts this shard: <c>PREFIX.K-of-N.bin</c>, with a trailing <c>.bin</c> left off the
    /// prefix, so <c>--out feeds.bin --shards 2</c> gives <c>feeds.0-of-2.bin</c> and <c>feeds.1-of-2.bin</c>.
    /// The count is in the name so files of different splits can never be mixed up by a glob.
    /// </summary>
    public string FilePath(string prefix)
    {
        if (prefix.EndsWith(".bin", StringComparison.Ordinal))
            prefix = prefix[..^".bin".Length];
        return $"{prefix}.{Index}-of-{Count}.bin";
    }

    /// <summary>
    /// The files a writer produces for <c>--shards count [--shard index]</c>: the one shard to <paramref name="output"/>,
    /// the whole file to <paramref name="output"/>, or every shard to its <see cref="FilePath"/>.
    /// </summary>
    public static (ShardSpec Spec, string Path)[] Targets(string output, uint count, uint? index) =>
        index is { } k ? [(new ShardSpec(k, count), output)]
        : count == 1 ? [(Whole, output)]
        : [.. Enumerable.Range(0, (int)count).Select(i => new ShardSpec((uint)i, count)).Select(s => (s, s.FilePath(output)))];

    public override string ToString() => $"{Index}/{Count}";
}
