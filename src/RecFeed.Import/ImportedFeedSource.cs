using RecFeed.Format;
using RecFeed.Sharding;

namespace RecFeed.Import;

/// <summary>
/// The writer's view of an import for one shard: the filled matrix, whose rows are those of <paramref name="stored"/>
/// (every user, or this one shard), and the fallback list.
/// </summary>
internal sealed class ImportedFeedSource(FeedMatrix matrix, ShardSpec stored, uint[] fallback, ShardSpec shard, uint maxItemId) : IFeedSource
{
    public uint MaxItemId => maxItemId;

    public void WriteFallback(Span<uint> destination) => fallback.CopyTo(destination);

    public int RowLength(ulong user) => matrix.RowLength(MatrixRow(user));

    public void WriteRow(ulong user, Span<uint> destination) => matrix.CopyRow(MatrixRow(user), destination);

    private ulong MatrixRow(ulong user) => stored.LocalRow(shard.GlobalUser(user));
}
