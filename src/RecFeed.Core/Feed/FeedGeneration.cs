using RecFeed.Format;
using RecFeed.Positions;
using RecFeed.Sharding;
using RecFeed.Slab;

namespace RecFeed.Feed;

/// <summary>
/// Everything one request reads, fixed at load: the slab, the read positions, the fallback picker, the shard.
/// A reload builds a new generation and swaps the reference, so a request sees one generation from start to end
/// and never a mix. The <see cref="Gate"/> tells when a retired generation has no reader left.
/// </summary>
public sealed class FeedGeneration
{
    public FeedGeneration(FeedSlab slab, PositionTable positions)
    {
        if (positions.Length != slab.UserCount)
            throw new ArgumentException($"positions for {positions.Length} users, slab has {slab.UserCount}", nameof(positions));
        Slab = slab;
        Positions = positions;
        Fallback = new FallbackPicker(slab.Fallback);
        ItemsPerUser = slab.ItemsPerUser;
        Shard = slab.Header.Shard;
    }

    public FeedSlab Slab { get; }
    public PositionTable Positions { get; }
    public FallbackPicker Fallback { get; }
    public int ItemsPerUser { get; }
    public ShardSpec Shard { get; }
    public ReaderGate Gate { get; } = new();

    public FeedFileHeader Header => Slab.Header;
    public ulong DatasetId => Slab.Header.DatasetId;

    /// <summary>True when <paramref name="next"/> describes the same users and rows, so read positions carry over.</summary>
    public bool SameDataset(FeedFileHeader next) =>
        next.DatasetId == Header.DatasetId && next.UserCount == Header.UserCount && next.ItemsPerUser == Header.ItemsPerUser;

    /// <summary>Frees the slab, and the positions unless the next generation took them over. Only after <see cref="ReaderGate.CloseAndDrain"/>.</summary>
    internal void Free(bool keepPositions)
    {
        if (!Gate.IsClosed)
            throw new InvalidOperationException("a generation is freed only after its gate is closed and drained");
        Slab.Dispose();
        if (!keepPositions)
            Positions.Dispose();
    }
}
