using RecFeed.Format;
using RecFeed.Slab;

namespace RecFeed.Feed;

/// <summary>
/// The delta files beside one feeds file, <c>DATA.deltas/*.delta</c>, judged in ordinal name order against the base
/// about to serve. A file already served is passed over; a new one is loaded whole and verified, or refused whole:
/// corrupt or truncated, for another shard or row length, named before one already applied (deltas apply in name
/// order, also after a restart), or for another base. A delta for another base whose file is not newer than the base
/// file is <i>superseded</i> (left from before that base was rolled out: counted apart, not an alert); one newer than
/// the base is <i>rejected</i>. Files are never deleted or renamed. Each refused file is reported once per process (it
/// is remembered by inode, length and mtime), so a SIGHUP does not log or count it again.
/// </summary>
public sealed class DeltaFolder(string dataPath, DeltaStatistics statistics)
{
    public const string Extension = ".delta";

    private readonly HashSet<(string Name, FeedFileIdentity Identity)> _judged = [];

    /// <summary>The folder: the feeds file's path with <c>.deltas</c> appended.</summary>
    public string Path { get; } = dataPath + ".deltas";

    public static string FolderOf(string dataPath) => dataPath + ".deltas";

    /// <summary>The result of one look at the folder: the deltas to add (loaded, verified, in name order) and one line per file refused.</summary>
    public sealed record Scan(List<AppliedDelta> Added, List<string> Refused)
    {
        public string Describe() =>
            (Added.Count == 0 ? "" : $"; applied {string.Join(", ", Added.Select(d => $"{d.Name} ({d.Slab.UserCount} users)"))}") +
            (Refused.Count == 0 ? "" : "; " + string.Join("; ", Refused));
    }

    /// <summary>Judges every file not yet served against <paramref name="base"/>, given the deltas it keeps serving.</summary>
    public Scan Look(FeedSlab @base, IReadOnlyList<AppliedDelta> serving, CancellationToken cancellationToken = default)
    {
        var scan = new Scan([], []);
        try
        {
            Judge(@base, serving, scan, cancellationToken);
        }
        catch
        {
            foreach (var loaded in scan.Added)
                loaded.Dispose(); // a stop while judging: nothing was swapped in yet
            throw;
        }
        return scan;
    }

    private void Judge(FeedSlab @base, IReadOnlyList<AppliedDelta> serving, Scan scan, CancellationToken cancellationToken)
    {
        foreach (var path in List())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = System.IO.Path.GetFileName(path);
            var identity = Identity(path);
            if (serving.Any(d => d.Name == name && d.Slab.Identity.Length == identity?.Length && d.Slab.Identity.LastWriteUtc == identity?.LastWriteUtc))
                continue;
            if (identity is { } known && _judged.Contains((name, known)))
                continue;
            var last = scan.Added.Count > 0 ? scan.Added[^1].Name : serving.Count > 0 ? serving[^1].Name : null;
            var verdict = Judge(path, name, @base, serving, last, out var loaded);
            if (loaded is not null)
            {
                scan.Added.Add(loaded);
                statistics.RecordApplied(loaded.Slab.UserCount);
                continue;
            }
            if (identity is { } seen)
                _judged.Add((name, seen));
            if (verdict is { } line)
                scan.Refused.Add(line);
        }
    }

    private string? Judge(string path, string name, FeedSlab @base, IReadOnlyList<AppliedDelta> serving, string? last, out AppliedDelta? loaded)
    {
        loaded = null;
        var b = @base.Header;
        try
        {
            var h = DeltaSlab.ReadHeader(path);
            if (h.BaseDatasetId != b.DatasetId)
            {
                if (File.GetLastWriteTimeUtc(path) <= @base.Identity.LastWriteUtc)
                {
                    statistics.RecordSuperseded();
                    return $"delta superseded: {name} is for dataset {h.BaseDatasetId:x16}, older than the base {b.DatasetId:x16}; not applied";
                }
                return Rejected(name, $"it is for dataset {h.BaseDatasetId:x16}, the base is {b.DatasetId:x16}");
            }
            if (h.BaseUserCount != b.UserCount || h.ItemsPerUser != b.ItemsPerUser || h.ShardIndex != b.ShardIndex || h.ShardCount != b.ShardCount)
                return Rejected(name, "its users, row length or shard disagree with the base's");
            if (serving.FirstOrDefault(d => d.DeltaId == h.DeltaId) is { } twin)
                return Rejected(name, $"it is the same delta ({h.DeltaId:x16}) as {twin.Name}, already applied");
            if (last is not null && string.CompareOrdinal(name, last) <= 0)
                return Rejected(name, $"its name does not sort after {last}, already applied (deltas apply in name order: give a new one a later name)");
            loaded = new AppliedDelta(DeltaSlab.Load(path));
            return null;
        }
        catch (FeedFileException e)
        {
            return Rejected(name, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Rejected(name, $"unreadable: {e.Message}");
        }
    }

    private string Rejected(string name, string why)
    {
        statistics.RecordRejected();
        return $"delta rejected: {System.IO.Path.Combine(Path, name)}: {why}; not applied";
    }

    /// <summary>The delta files in ordinal name order; none when the folder does not exist.</summary>
    private List<string> List()
    {
        if (!Directory.Exists(Path))
            return [];
        var files = Directory.GetFiles(Path, "*" + Extension).Where(f => !System.IO.Path.GetFileName(f).StartsWith('.')).ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static FeedFileIdentity? Identity(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return new FeedFileIdentity(0, info.Length, info.LastWriteTimeUtc, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
