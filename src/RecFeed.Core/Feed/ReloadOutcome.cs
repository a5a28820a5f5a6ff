namespace RecFeed.Feed;

/// <summary>How one reload ended. Every reload ends in exactly one of these, and each is logged and counted.</summary>
public enum ReloadOutcome
{
    /// <summary>The file was loaded, verified and swapped in.</summary>
    Accepted,

    /// <summary>The file is the one already served (same inode, size, mtime and dataset id): nothing was read.</summary>
    Skipped,

    /// <summary>The file is unusable or belongs to another shard; the old data keeps serving.</summary>
    Rejected,

    /// <summary>Something other than the file failed (out of memory for the new slab, an I/O error, stopping); the old data keeps serving.</summary>
    Failed,
}
