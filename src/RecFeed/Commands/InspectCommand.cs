using System.CommandLine;
using System.Text;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Slab;

namespace RecFeed.Cli.Commands;

/// <summary><c>recfeed inspect</c>: print a feeds file's header, or one user's personal items as the HTTP body would.</summary>
internal static class InspectCommand
{
    private static readonly Argument<FileInfo> File = new("file") { Description = "The feeds file, or a delta file (DATA.deltas/NNNN.delta)." };

    private static readonly Option<uint?> User = new("--user", "-u")
    {
        Description = "Print only this user's personal items, as [id,id,...] (padding zeros left out).",
    };

    private static readonly Option<bool> Verify = new("--verify")
    {
        Description = "Also read the whole payload and check its checksum, as serve does.",
    };

    public static Command Create()
    {
        var command = new Command("inspect", "Print a feeds file's (or a delta file's) header or one user's personal items.") { File, User, Verify };
        command.SetAction((r, ct) =>
            Task.FromResult((int)Run(Console.Out, Console.Error, r.GetValue(File)!.FullName, r.GetValue(User), r.GetValue(Verify), ct)));
        return command;
    }

    public static ExitCode Run(TextWriter stdout, TextWriter stderr, string path, uint? user, bool verify, CancellationToken cancellationToken)
    {
        try
        {
            if (InspectDelta.Is(path))
                return InspectDelta.Run(stdout, stderr, path, user, verify);
            if (verify)
                FeedSlab.Load(path, cancellationToken).Dispose();
            var header = FeedSlab.ReadHeader(path);
            if (user is { } u)
                return PrintUser(stdout, stderr, path, header, u);
            PrintHeader(stdout, path, header, verify);
            return ExitCode.Ok;
        }
        catch (FeedFileException e)
        {
            stderr.WriteLine($"recfeed inspect: {path}: {e.Message}");
            return ExitCode.BadInput;
        }
    }

    private static void PrintHeader(TextWriter stdout, string path, FeedFileHeader h, bool verified)
    {
        stdout.WriteLine($"file              {path}");
        stdout.WriteLine($"format version    {h.FormatVersion}");
        stdout.WriteLine($"users             {h.UserCount}");
        stdout.WriteLine($"items per user    {h.ItemsPerUser}{(h.PackedRows ? " at most" : "")}");
        if (h.PackedRows)
            stdout.WriteLine($"items             {h.ItemCount} stored, {h.ItemBytes} bytes each{(h.HasRowIndex ? "" : ", every row full (no row index)")}");
        stdout.WriteLine($"fallback size     {h.FallbackCount}");
        stdout.WriteLine($"seed              {h.Seed}");
        stdout.WriteLine($"dataset id        {h.DatasetId:x16}");
        stdout.WriteLine($"payload checksum  {h.PayloadChecksum:x16} ({(verified ? "verified" : "not verified; add --verify")})");
        stdout.WriteLine($"shard             {h.ShardIndex}/{h.ShardCount}");
        stdout.WriteLine($"file bytes        {h.FileLength}");
    }

    private static ExitCode PrintUser(TextWriter stdout, TextWriter stderr, string path, FeedFileHeader h, uint userId)
    {
        if (userId % h.ShardCount != h.ShardIndex)
        {
            stderr.WriteLine(
                $"recfeed inspect: {path}: user {userId} belongs to shard {userId % h.ShardCount} of {h.ShardCount}, this file is shard {h.ShardIndex}");
            return ExitCode.BadInput;
        }
        var local = userId / h.ShardCount;
        if (local >= h.UserCount)
        {
            stderr.WriteLine($"recfeed inspect: {path}: user {userId} is not in this file ({h.UserCount} users)");
            return ExitCode.BadInput;
        }
        var row = FeedSlab.ReadRow(path, h, local);
        var end = Array.IndexOf(row, 0u);
        var items = row.AsSpan(0, end < 0 ? row.Length : end);
        var body = new byte[FeedBody.Length(items)];
        FeedBody.Write(body, items);
        stdout.WriteLine(Encoding.ASCII.GetString(body));
        return ExitCode.Ok;
    }
}
