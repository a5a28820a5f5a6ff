using RecFeed.Format;
using RecFeed.Sharding;

namespace RecFeed.Import;

/// <summary>
/// The writer's view of an import for one shard: the filled matrix, whose rows are those of <paramref name="stored"/>
/// (every user, or this one shard), and the fallback list.
/// </summary>
internal sealed class ImportedFeedSource(FeedMatrix matrix, ShardSpec stored, uint[] fallback, ShardSpec shard) : IFeedSource
{
    public void WriteFallback(Span<uint> destination) => fallback.CopyTo(destination);

    public void WriteRow(ulong user, Span<uint> destination) => matrix.CopyRow(stored.LocalRow(shard.GlobalUser(user)), destination);
}
