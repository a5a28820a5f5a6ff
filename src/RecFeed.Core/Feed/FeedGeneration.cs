using RecFeed.Format;
using RecFeed.Positions;
using RecFeed.Sharding;
using RecFeed.Slab;

namespace RecFeed.Feed;

/// <summary>
/// Everything one request reads, fixed at load: the slab, the read positions, the deltas over them, the fallback
/// picker, the shard.
/// A reload builds a new generation and swaps the reference, so a request sees one generation from start to end
/// and never a mix. The <see cref="Gate"/> tells when a retired generation has no reader left.
/// </summary>
public sealed class FeedGeneration
{
    public FeedGeneration(FeedSlab slab, PositionTable positions, FeedOverlay? overlay = null)
    {
        if (positions.Length != slab.UserCount)
            throw new ArgumentException($"positions for {positions.Length} users, slab has {slab.UserCount}", nameof(positions));
        Slab = slab;
        Positions = positions;
        Fallback = new FallbackPicker(slab.Fallback);
        ItemsPerUser = slab.ItemsPerUser;
        Shard = slab.Header.Shard;
        Overlay = overlay;
    }

    public FeedSlab Slab { get; }
    public PositionTable Positions { get; }
    public FallbackPicker Fallback { get; }
    public int ItemsPerUser { get; }
    public ShardSpec Shard { get; }

    /// <summary>The deltas served over the slab; null when there are none, so an unlisted user costs one null check.</summary>
    public FeedOverlay? Overlay { get; }

    /// <summary>The deltas served, in name order; empty without an overlay.</summary>
    public IReadOnlyList<AppliedDelta> Deltas => Overlay?.Deltas ?? [];
    public ReaderGate Gate { get; } = new();

    public FeedFileHeader Header => Slab.Header;
    public ulong DatasetId => Slab.Header.DatasetId;

    /// <summary>True when <paramref name="next"/> describes the same users and rows, so read positions carry over.</summary>
    public bool SameDataset(FeedFileHeader next) =>
        next.DatasetId == Header.DatasetId && next.UserCount == Header.UserCount && next.ItemsPerUser == Header.ItemsPerUser;

    /// <summary>
    /// Frees what <paramref name="next"/> (the generation that replaced this one; null when the service is disposed)
    /// does not use: the slab, the positions, the overlay's bit map and each delta. A reload that only applies deltas
    /// shares the slab and positions, one of the same dataset shares the positions and deltas. Only after
    /// <see cref="ReaderGate.CloseAndDrain"/>.
    /// </summary>
    internal void Free(FeedGeneration? next)
    {
        if (!Gate.IsClosed)
            throw new InvalidOperationException("a generation is freed only after its gate is closed and drained");
        if (!ReferenceEquals(Slab, next?.Slab))
            Slab.Dispose();
        if (!ReferenceEquals(Positions, next?.Positions))
            Positions.Dispose();
        Overlay?.Dispose();
        foreach (var delta in Deltas)
            if (next is null || !next.Deltas.Contains(delta))
                delta.Dispose();
    }
}
