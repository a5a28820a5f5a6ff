namespace RecFeed.Feed;

/// <summary>How a feed request ended; the <c>outcome</c> label of the request metrics.</summary>
public enum FeedOutcome
{
    /// <summary>A feed for a user of this file.</summary>
    Served,
    /// <summary>A fallback-only feed for a user id beyond the file: not the client's fault.</summary>
    UnknownUser,
    /// <summary>The user belongs to another shard.</summary>
    Misdirected,
    /// <summary>Nothing at all to return (personal list exhausted, no fallback item outside it).</summary>
    Unavailable,
    /// <summary>A malformed user id or size (400): decided by the HTTP layer, never returned by <see cref="FeedService.Serve"/>.</summary>
    BadRequest,
}
