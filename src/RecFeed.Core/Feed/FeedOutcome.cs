namespace RecFeed.Feed;

public enum FeedOutcome
{
    /// <summary>A feed for a user of this file.</summary>
    Served,
    /// <summary>A fallback-only feed for a user id beyond the file: not the client's fault.</summary>
    UnknownUser,
    /// <summary>The user belongs to another shard.</summary>
    Misdirected,
    /// <summary>Nothing at all to return (personal list exhausted, no fallback).</summary>
    Unavailable,
}
