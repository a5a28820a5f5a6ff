using System.CommandLine;
using RecFeed.Format;

namespace RecFeed.Cli.Commands;

/// <summary>The shard options shared by the commands that write feeds files (generate, import) or route to them.</summary>
internal static class ShardOptions
{
    public const long MaxShards = FeedFileHeader.MaxShardCount;

    public static readonly Option<uint> Shards = new("--shards")
    {
        Description = "Split the users over N shards: shard K holds the users with id mod N == K, written to PREFIX.K-of-N.bin " +
            "with --out as the prefix (see docs/scale.md).",
        DefaultValueFactory = _ => 1,
        Validators = { r => OptionRange.Check(r, 1, MaxShards) },
    };

    public static readonly Option<uint?> Shard = new("--shard")
    {
        Description = "Write only shard K (0..N-1) of --shards N, to --out. Without it every shard is written.",
    };
}
