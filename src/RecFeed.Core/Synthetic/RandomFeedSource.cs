using RecFeed.Format;

namespace RecFeed.Synthetic;

/// <summary>
/// Random feeds for demos and benchmarks. Each row depends only on (seed, user), so rows can be produced in any
/// order on any thread and the file is byte-identical for the same arguments.
/// </summary>
public sealed class RandomFeedSource : IFeedSource
{
    public const ulong DefaultSeed = 42;

    private const ulong FallbackStream = ulong.MaxValue;

    [ThreadStatic] private static DistinctSet? s_seen;

    private readonly ulong _seed;
    private readonly uint _maxItemId;
    private readonly int _itemsPerUser;
    private readonly ulong _shardIndex;
    private readonly ulong _shardCount;

    public RandomFeedSource(ulong seed, uint maxItemId, int itemsPerUser, uint shardIndex = 0, uint shardCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItemId, (uint)itemsPerUser);
        (_seed, _maxItemId, _itemsPerUser, _shardIndex, _shardCount) = (seed, maxItemId, itemsPerUser, shardIndex, shardCount);
    }

    public uint MaxItemId => _maxItemId;

    public void WriteFallback(Span<uint> destination) => Fill(FallbackStream, destination);

    public int RowLength(ulong user) => _itemsPerUser;

    /// <summary>The row of a shard's local user is the row its global user id has in an unsharded file.</summary>
    public void WriteRow(ulong user, Span<uint> destination) => Fill(user * _shardCount + _shardIndex, destination);

    private void Fill(ulong stream, Span<uint> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)destination.Length, _maxItemId);
        var random = new SplitMix64(SplitMix64.Mix(_seed, stream));
        var seen = s_seen ??= new DistinctSet();
        seen.Reset(Math.Max(_itemsPerUser, destination.Length));
        for (var i = 0; i < destination.Length;)
        {
            var item = random.NextItem(_maxItemId);
            if (seen.Add(item))
                destination[i++] = item;
        }
    }
}
