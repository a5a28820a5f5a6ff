namespace RecFeed.Import;

/// <summary>What an import read, kept, changed and dropped. Counts are of input rows unless named otherwise.</summary>
public sealed class ImportSummary
{
    /// <summary>Users in the output file, those without a row included.</summary>
    public ulong Users { get; set; }
    /// <summary>Output users that no row named: served fallback items only.</summary>
    public ulong UsersWithoutRow { get; set; }
    /// <summary>Data rows read (header excluded); in the long shape, one per (user, item).</summary>
    public long Rows { get; set; }
    /// <summary>Item ids stored in the output.</summary>
    public long Items { get; set; }
    /// <summary>Users whose list was longer than items-per-user, and the items cut from them.</summary>
    public long CutUsers { get; set; }
    public long CutItems { get; set; }
    /// <summary>Users with a row shorter than items-per-user (padded with 0).</summary>
    public long PaddedUsers { get; set; }
    /// <summary>Repeats of an item within one user's list, dropped (the first stays).</summary>
    public long DuplicateItems { get; set; }
    /// <summary>Rows for a user that already had one, which replaced it (--allow-duplicates).</summary>
    public long ReplacedUsers { get; set; }
    /// <summary>Rows left out by --skip-bad-rows.</summary>
    public long SkippedRows { get; set; }
    public int FallbackCount { get; set; }
    /// <summary>"top 50" or the fallback file's name.</summary>
    public string FallbackSource { get; set; } = "";
    /// <summary>The files written: one, or one per shard.</summary>
    public List<string> Files { get; } = [];
    /// <summary>Bytes written over all <see cref="Files"/>.</summary>
    public ulong FileBytes { get; set; }
    public double Seconds { get; set; }
    /// <summary>A delta's id (<c>--delta-for</c>); 0 for a feeds file.</summary>
    public ulong DeltaId { get; set; }
}
