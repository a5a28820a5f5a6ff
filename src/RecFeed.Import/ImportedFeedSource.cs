using RecFeed.Format;
using RecFeed.Sharding;

namespace RecFeed.Import;

/// <summary>The writer's view of an import for one shard: the filled matrix of all users and the fallback list.</summary>
internal sealed class ImportedFeedSource(FeedMatrix matrix, uint[] fallback, ShardSpec shard, uint maxItemId) : IFeedSource
{
    public uint MaxItemId => maxItemId;

    public void WriteFallback(Span<uint> destination) => fallback.CopyTo(destination);

    public int RowLength(ulong user) => matrix.RowLength(shard.GlobalUser(user));

    public void WriteRow(ulong user, Span<uint> destination) => matrix.CopyRow(shard.GlobalUser(user), destination);
}
