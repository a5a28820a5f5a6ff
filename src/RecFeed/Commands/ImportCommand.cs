using System.CommandLine;
using RecFeed.Format;
using RecFeed.Import;
using RecFeed.Slab;

namespace RecFeed.Cli.Commands;

/// <summary><c>recfeed import</c>: turn a recommender's output (Parquet, CSV, TSV) into a feeds file.</summary>
internal static class ImportCommand
{
    private static readonly Option<FileInfo> From = new("--from", "-f")
    {
        Description = "The recommendations: Parquet (a user id column and a list column, or --long), CSV or TSV.",
        Required = true,
    };

    private static readonly Option<string?> Format = new Option<string?>("--format")
    {
        Description = "Input format; by default taken from the file name (.parquet/.pq, .csv, .tsv/.tab).",
    }.AcceptOnlyFromAmong("parquet", "csv", "tsv");

    private static readonly Option<FileInfo> Out = new("--out", "-o")
    {
        Description = "Output file; written under a temporary name and renamed when complete.",
        DefaultValueFactory = _ => new FileInfo("feeds.bin"),
    };

    private static readonly Option<int> ItemsPerUser = new("--items-per-user")
    {
        Description = "Items stored per user (1..65535): longer lists are cut (format 1 also pads shorter ones with 0).",
        DefaultValueFactory = _ => 200,
        Validators = { r => OptionRange.Check(r, 1, FeedFileHeader.MaxItemsPerUser) },
    };

    private static readonly Option<long?> Users = new("--users")
    {
        Description = "Output user count (ids 0..N-1); by default one more than the largest user id. Larger ids are bad rows.",
        Validators = { r => OptionRange.Check(r, 1, (long)FeedFileHeader.MaxUserCount) },
    };

    private static readonly Option<FileInfo?> Fallback = new("--fallback")
    {
        Description = "Fallback item ids, one per line, served once a user's own list runs out.",
    };

    private static readonly Option<int> FallbackTop = new("--fallback-top")
    {
        Description = "Without --fallback: use the K items in the most users' lists as fallback.",
        DefaultValueFactory = _ => ImportSettings.DefaultFallbackTop,
        Validators = { r => OptionRange.Check(r, 0, FallbackFile.MaxItems) },
    };

    private static readonly Option<string> UserColumn = new("--user-column")
    {
        Description = "Parquet: the user id column (int32, int64 or uint32).",
        DefaultValueFactory = _ => "user_id",
    };

    private static readonly Option<string?> ItemsColumn = new("--items-column")
    {
        Description = "Parquet: the item list column, or with --long the item column. Default: items, or item with --long.",
    };

    private static readonly Option<string> RankColumn = new("--rank-column")
    {
        Description = "Parquet with --long: items are stored by ascending rank.",
        DefaultValueFactory = _ => "rank",
    };

    private static readonly Option<bool> Long = new("--long")
    {
        Description = "Parquet: one row per (user_id, item, rank), each user's rows consecutive.",
    };

    private static readonly Option<bool> SkipBadRows = new("--skip-bad-rows")
    {
        Description = "Skip and count rows with bad ids (and repeated users) instead of failing.",
    };

    private static readonly Option<bool> AllowDuplicates = new("--allow-duplicates")
    {
        Description = "A user with several rows keeps the last one instead of failing the import.",
    };

    private static readonly Option<FileInfo> DeltaFor = new Option<FileInfo>("--delta-for")
    {
        Description = "Write a delta of this feeds file instead (--out DATA.deltas/NNNN.delta): the input's users get these new lists; " +
            "items per user and shard are the base's.",
    }.AcceptExistingOnly();

    public static Command Create()
    {
        var command = new Command("import", "Write a feeds file from recommendations computed elsewhere (Parquet, CSV, TSV).")
        {
            From, Format, Out, ItemsPerUser, Users, Fallback, FallbackTop, UserColumn, ItemsColumn, RankColumn, Long,
            SkipBadRows, AllowDuplicates, DeltaFor, ShardOptions.Shards, ShardOptions.Shard, FormatVersionOption.FormatVersion,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(Fallback) is not null && r.GetResult(FallbackTop) is { Implicit: false })
                r.AddError("--fallback and --fallback-top exclude each other: the fallback list comes from a file or from the data.");
            if (r.GetResult(DeltaFor) is not null && r.GetResult(Out) is null or { Implicit: true })
                r.AddError("--delta-for needs --out DATA.deltas/NNNN.delta: serve applies the deltas of that folder in name order.");
            if (r.GetResult(DeltaFor) is not null && new Option[] { ItemsPerUser, Users, Fallback, FallbackTop, ShardOptions.Shards, ShardOptions.Shard,
                    FormatVersionOption.FormatVersion }.FirstOrDefault(o => r.GetResult(o) is { Implicit: false }) is { } clash)
                r.AddError($"--delta-for takes the shape from the base: {clash.Name} does not apply.");
        });
        command.SetAction(async (r, ct) => (int)await RunAsync(Console.Out, Console.Error, new ImportSettings
        {
            Input = r.GetValue(From)!.ToString(),
            Format = r.GetValue(Format) is { } format ? Enum.Parse<InputFormat>(format, ignoreCase: true) : null,
            ItemsPerUser = r.GetValue(ItemsPerUser),
            Users = r.GetValue(Users) is { } users ? (ulong)users : null,
            FallbackFile = r.GetValue(Fallback)?.ToString(),
            FallbackTop = r.GetValue(FallbackTop),
            UserColumn = r.GetValue(UserColumn)!,
            ItemsColumn = r.GetValue(ItemsColumn),
            RankColumn = r.GetValue(RankColumn)!,
            Long = r.GetValue(Long),
            SkipBadRows = r.GetValue(SkipBadRows),
            AllowDuplicates = r.GetValue(AllowDuplicates),
            Shards = r.GetValue(ShardOptions.Shards),
            Shard = r.GetValue(ShardOptions.Shard),
            FormatVersion = r.GetValue(FormatVersionOption.FormatVersion),
        }, r.GetValue(Out)!.ToString(), r.GetValue(DeltaFor)?.ToString(), ct));
        return command;
    }

    public static async Task<ExitCode> RunAsync(TextWriter stdout, TextWriter stderr, ImportSettings settings, string output,
        string? deltaFor, CancellationToken cancellationToken)
    {
        if (deltaFor is not null)
        {
            try
            {
                var @base = FeedSlab.ReadHeader(deltaFor);
                settings = settings with { DeltaBase = @base, ItemsPerUser = (int)@base.ItemsPerUser };
            }
            catch (FeedFileException e)
            {
                stderr.WriteLine($"recfeed import: --delta-for {deltaFor}: {e.Message}");
                return ExitCode.BadInput;
            }
        }
        ProgressBar? bar = null;
        Action<long>? StartPhase(long total, string unit, long unitSize)
        {
            bar?.Complete();
            bar = ProgressBar.ForStderr(total, unit, unitSize);
            return bar is null ? null : bar.Report;
        }

        ImportSummary s;
        try
        {
            s = await FeedImporter.ImportAsync(settings, output, StartPhase, cancellationToken);
        }
        catch (ImportException e)
        {
            bar?.Complete();
            stderr.WriteLine($"recfeed import: {e.Message}");
            return ExitCode.BadInput;
        }
        catch (Exception e) when (WriteFailure.Handles(e))
        {
            bar?.Complete();
            return WriteFailure.Report(stderr, "import", output, e);
        }
        bar?.Complete();
        if (s.DeltaId != 0)
        {
            stdout.WriteLine($"wrote delta {output} for {deltaFor}: {s.Users:N0} users, {s.Rows:N0} rows, {s.Items:N0} items; cut {s.CutItems:N0} items, " +
                $"skipped {s.SkippedRows:N0} rows, replaced {s.ReplacedUsers:N0} users; delta id {s.DeltaId:x16}; {s.FileBytes:N0} bytes, {s.Seconds:F2} s");
            return ExitCode.Ok;
        }
        stdout.WriteLine($"imported {settings.Input} into {string.Join(", ", s.Files)}: {s.Users:N0} users ({s.UsersWithoutRow:N0} without a row), " +
            $"{s.Rows:N0} rows, {s.Items:N0} items; cut {s.CutUsers:N0} users ({s.CutItems:N0} items), padded {s.PaddedUsers:N0}, " +
            $"skipped {s.SkippedRows:N0} rows, dropped {s.DuplicateItems:N0} repeated items, replaced {s.ReplacedUsers:N0} users; " +
            $"fallback {s.FallbackCount} ({s.FallbackSource}); {s.FileBytes:N0} bytes, {s.Seconds:F2} s");
        return ExitCode.Ok;
    }
}
