using System.CommandLine;
using System.Diagnostics;
using RecFeed.Format;
using RecFeed.Synthetic;
using RecFeed.Sharding;

namespace RecFeed.Cli.Commands;

/// <summary><c>recfeed generate</c>: a random feeds file for demos and benchmarks, deterministic per seed.</summary>
internal static class GenerateCommand
{

    private static readonly Option<long> Users = new("--users")
    {
        Description = "Number of users (rows); user ids are 0..users-1.",
        Required = true,
        Validators = { r => OptionRange.Check(r, 1, (long)FeedFileHeader.MaxUserCount) },
    };

    private static readonly Option<int> ItemsPerUser = new("--items-per-user")
    {
        Description = "Items stored per user (1..65535).",
        DefaultValueFactory = _ => 200,
        Validators = { r => OptionRange.Check(r, 1, FeedFileHeader.MaxItemsPerUser) },
    };

    private static readonly Option<uint> MaxItemId = new("--max-item-id")
    {
        Description = "Item ids are drawn uniformly from 1..max-item-id; at least items-per-user and fallback-size.",
        DefaultValueFactory = _ => 10_000_000,
    };

    private static readonly Option<int> FallbackSize = new("--fallback-size")
    {
        Description = "Distinct popular ids that top up feeds once a user's own list runs out.",
        DefaultValueFactory = _ => 50,
        Validators = { r => OptionRange.Check(r, 0, FeedFileHeader.MaxFallbackCount) },
    };

    private static readonly Option<ulong> Seed = new("--seed")
    {
        Description = "Random seed; the same arguments and seed give a byte-identical file.",
        DefaultValueFactory = _ => RandomFeedSource.DefaultSeed,
    };

    private static readonly Option<FileInfo> Out = new("--out", "-o")
    {
        Description = "Output file; written under a temporary name and renamed when complete. With --shards N and no " +
            "--shard, a prefix: shard K goes to PREFIX.K-of-N.bin (a trailing .bin is left off the prefix).",
        DefaultValueFactory = _ => new FileInfo("feeds.bin"),
    };

    private static readonly Option<bool> Fsync = new("--fsync")
    {
        Description = "Flush the file to disk before the rename so it survives power loss (slower: the whole file is written out). " +
            "Without it an interrupted run still never leaves a half file under the final name, and serve's checksum catches a file torn by a crash.",
    };

    public static Command Create()
    {
        var command = new Command("generate", "Write a feeds file of random, per-user distinct item ids.")
        {
            Users, ItemsPerUser, MaxItemId, FallbackSize, Seed, Out, Fsync, ShardOptions.Shards, ShardOptions.Shard,
            FormatVersionOption.FormatVersion,
        };
        command.SetAction((r, ct) => Task.FromResult((int)Run(Console.Out, Console.Error,
            (ulong)r.GetValue(Users), r.GetValue(ItemsPerUser), r.GetValue(MaxItemId), r.GetValue(FallbackSize),
            r.GetValue(Seed), r.GetValue(Out)!.FullName, r.GetValue(Fsync), r.GetValue(ShardOptions.Shards), r.GetValue(ShardOptions.Shard),
            r.GetValue(FormatVersionOption.FormatVersion), ct)));
        return command;
    }

    /// <summary>
    /// Shard <paramref name="shard"/> of <paramref name="shardCount"/> to <paramref name="output"/>, or, with no shard
    /// given and more than one shard, every shard to <see cref="ShardSpec.FilePath"/> of <paramref name="output"/>.
    /// A shard's row for a user is the unsharded file's row for the same global user id.
    /// </summary>
    public static ExitCode Run(TextWriter stdout, TextWriter stderr, ulong users, int itemsPerUser, uint maxItemId,
        int fallbackSize, ulong seed, string output, bool fsync, uint shardCount, uint? shard, uint formatVersion, CancellationToken cancellationToken)
    {
        if (maxItemId < itemsPerUser || maxItemId < fallbackSize)
        {
            stderr.WriteLine($"recfeed generate: --max-item-id {maxItemId} is smaller than --items-per-user {itemsPerUser} " +
                $"or --fallback-size {fallbackSize}; lists could not be distinct");
            return ExitCode.BadInput;
        }
        if (shard >= shardCount)
        {
            stderr.WriteLine($"recfeed generate: --shard {shard} is out of range for --shards {shardCount}; shards are numbered 0..{shardCount - 1}");
            return ExitCode.BadInput;
        }
        if (shardCount > users)
        {
            stderr.WriteLine($"recfeed generate: --shards {shardCount} is more than --users {users}; some shards would be empty");
            return ExitCode.BadInput;
        }

        foreach (var (spec, path) in ShardSpec.Targets(output, shardCount, shard))
        {
            var started = Stopwatch.GetTimestamp();
            var source = new RandomFeedSource(seed, maxItemId, itemsPerUser, spec.Index, spec.Count);
            using var layout = FeedLayout.Plan(FeedFileHeader.Create(spec.UserCount(users), itemsPerUser, fallbackSize, seed, spec.Index, spec.Count),
                formatVersion, source);
            var bar = ProgressBar.ForStderr((long)layout.Header.PayloadLength, "users", layout.Header.PayloadBytesPerUser);
            FeedFileHeader header;
            try
            {
                header = FeedFileWriter.Write(path, layout, source, progress: bar is null ? null : bar.Report,
                    flushToDisk: fsync, cancellationToken: cancellationToken);
            }
            catch (Exception e) when (WriteFailure.Handles(e))
            {
                bar?.Complete();
                return WriteFailure.Report(stderr, "generate", path, e);
            }
            bar?.Complete();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var shardNote = spec.Count > 1 ? $"shard {spec}, " : "";
            stdout.WriteLine($"wrote {path}: {shardNote}{header.UserCount} users x {header.ItemsPerUser} items, " +
                $"{header.FallbackCount} fallback, format {header.FormatVersion}, " +
                $"{header.FileLength} bytes, seed {seed}, dataset {header.DatasetId:x16}, {seconds:F2} s");
        }
        return ExitCode.Ok;
    }
}
