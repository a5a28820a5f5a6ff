using System.Text;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Slab;

namespace RecFeed.Cli.Commands;

/// <summary><c>recfeed inspect X.delta</c>: a delta file's header, one listed user's new list, or the whole file verified.</summary>
internal static class InspectDelta
{
    /// <summary>Whether <paramref name="path"/> starts with a delta file's magic (so any name works, not only <c>.delta</c>).</summary>
    public static bool Is(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[sizeof(ulong)];
            return file.Read(magic) == magic.Length && BitConverter.ToUInt64(magic) == DeltaFileHeader.MagicValue;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static ExitCode Run(TextWriter stdout, TextWriter stderr, string path, uint? user, bool verify)
    {
        if (!verify && user is null)
        {
            Print(stdout, path, DeltaSlab.ReadHeader(path), verified: false);
            return ExitCode.Ok;
        }
        using var delta = DeltaSlab.Load(path); // small: --user reads the whole file too, verified on the way
        if (user is not { } u)
        {
            Print(stdout, path, delta.Header, verified: true);
            return ExitCode.Ok;
        }
        var h = delta.Header;
        var index = u % h.ShardCount == h.ShardIndex ? delta.IndexOf(u / h.ShardCount) : -1;
        if (index < 0)
        {
            stderr.WriteLine($"recfeed inspect: {path}: user {u} is not listed in this delta ({h.UserCount} users)");
            return ExitCode.BadInput;
        }
        var items = delta.Row((ulong)index).ToArray();
        var body = new byte[FeedBody.Length(items)];
        FeedBody.Write(body, items);
        stdout.WriteLine(Encoding.ASCII.GetString(body));
        return ExitCode.Ok;
    }

    private static void Print(TextWriter stdout, string path, DeltaFileHeader h, bool verified)
    {
        stdout.WriteLine($"file              {path}");
        stdout.WriteLine($"delta version     {h.FormatVersion}");
        stdout.WriteLine($"delta id          {h.DeltaId:x16}");
        stdout.WriteLine($"base dataset id   {h.BaseDatasetId:x16}");
        stdout.WriteLine($"base users        {h.BaseUserCount}");
        stdout.WriteLine($"users             {h.UserCount}");
        stdout.WriteLine($"items per user    {h.ItemsPerUser} at most");
        stdout.WriteLine($"items             {h.ItemCount}");
        stdout.WriteLine($"payload checksum  {h.PayloadChecksum:x16} ({(verified ? "verified" : "not verified; add --verify")})");
        stdout.WriteLine($"shard             {h.ShardIndex}/{h.ShardCount}");
        stdout.WriteLine($"file bytes        {h.FileLength}");
    }
}
