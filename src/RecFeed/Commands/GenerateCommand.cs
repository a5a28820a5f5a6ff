using System.CommandLine;
using System.Diagnostics;
using RecFeed.Format;
using RecFeed.Generation;

namespace RecFeed.Cli.Commands;

/// <summary><c>recfeed generate</c>: a random feeds file for demos and benchmarks, deterministic per seed.</summary>
internal static class GenerateCommand
{
    private static readonly Option<long> Users = new("--users")
    {
        Description = "Number of users (rows); user ids are 0..users-1.",
        Required = true,
        Validators = { r => CheckRange(r, r.GetValueOrDefault<long>(), 1, (long)FeedFileHeader.MaxUserCount) },
    };

    private static readonly Option<int> ItemsPerUser = new("--items-per-user")
    {
        Description = "Items stored per user (1..65535).",
        DefaultValueFactory = _ => 200,
        Validators = { r => CheckRange(r, r.GetValueOrDefault<int>(), 1, FeedFileHeader.MaxItemsPerUser) },
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
        Validators = { r => CheckRange(r, r.GetValueOrDefault<int>(), 0, 1 << 24) },
    };

    private static readonly Option<ulong> Seed = new("--seed")
    {
        Description = "Random seed; the same arguments and seed give a byte-identical file.",
        DefaultValueFactory = _ => RandomFeedSource.DefaultSeed,
    };

    private static readonly Option<FileInfo> Out = new("--out", "-o")
    {
        Description = "Output file; written under a temporary name and renamed when complete.",
        DefaultValueFactory = _ => new FileInfo("feeds.bin"),
    };

    public static Command Create()
    {
        var command = new Command("generate", "Write a feeds file of random, per-user distinct item ids.")
        {
            Users, ItemsPerUser, MaxItemId, FallbackSize, Seed, Out,
        };
        command.SetAction((r, ct) => Task.FromResult((int)Run(Console.Out, Console.Error,
            (ulong)r.GetValue(Users), r.GetValue(ItemsPerUser), r.GetValue(MaxItemId), r.GetValue(FallbackSize),
            r.GetValue(Seed), r.GetValue(Out)!.FullName, ct)));
        return command;
    }

    public static ExitCode Run(TextWriter stdout, TextWriter stderr, ulong users, int itemsPerUser, uint maxItemId,
        int fallbackSize, ulong seed, string output, CancellationToken cancellationToken)
    {
        if (maxItemId < itemsPerUser || maxItemId < fallbackSize)
        {
            stderr.WriteLine($"recfeed generate: --max-item-id {maxItemId} is smaller than --items-per-user {itemsPerUser} or --fallback-size {fallbackSize}; lists could not be distinct");
            return ExitCode.BadInput;
        }
        var started = Stopwatch.GetTimestamp();
        var shape = FeedFileHeader.Create(users, itemsPerUser, fallbackSize, seed);
        var source = new RandomFeedSource(seed, maxItemId, itemsPerUser);
        var bar = ProgressBar.ForStderr((long)shape.PayloadLength, "users", (long)shape.RowBytes);
        FeedFileHeader header;
        try
        {
            header = FeedFileWriter.Write(output, shape, source, progress: bar is null ? null : bar.Report, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (WriteFailure.Handles(e))
        {
            bar?.Complete();
            return WriteFailure.Report(stderr, "generate", output, e);
        }
        bar?.Complete();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        stdout.WriteLine($"wrote {output}: {header.UserCount} users x {header.ItemsPerUser} items, {header.FallbackCount} fallback, " +
            $"{header.FileLength} bytes, seed {seed}, dataset {header.DatasetId:x16}, {seconds:F2} s");
        return ExitCode.Ok;
    }

    internal static void CheckRange(System.CommandLine.Parsing.OptionResult result, long value, long min, long max)
    {
        if (value < min || value > max)
            result.AddError($"{result.Option.Name} must be between {min} and {max}; got {value}.");
    }
}
