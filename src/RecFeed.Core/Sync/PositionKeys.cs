using System.Globalization;
using RecFeed.Format;

namespace RecFeed.Sync;

/// <summary>
/// The two Redis keys of one dataset's shard: <see cref="Values"/>, a string of one big-endian u16 per user (the
/// layout of <c>BITFIELD … u16 #user</c>), and <see cref="Log"/>, a stream with one entry per merge that moved someone.
/// Both names hold the dataset id, the user count and the shard, so a replica reads only its own dataset's shard:
/// another dataset (or an old one after a reload) is another key, never applied. The part in braces is a Redis
/// Cluster hash tag, so the merge script's two keys live in one slot.
/// </summary>
public sealed record PositionKeys(string Values, string Log)
{
    public static PositionKeys For(RedisAddress address, FeedFileHeader header)
    {
        var scope = string.Create(CultureInfo.InvariantCulture,
            $"{address.KeyPrefix}:positions:{{{header.DatasetId:x16}/{header.UserCount}u/{header.ShardIndex}-of-{header.ShardCount}}}");
        return new PositionKeys(scope + ":values", scope + ":log");
    }
}
