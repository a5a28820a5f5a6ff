namespace RecFeed.Feed;

/// <summary>The counters kept per request. At most eight, so one stripe of <see cref="FeedCounters"/> is one cache line.</summary>
public enum FeedCounter
{
    /// <summary>200 for a known user.</summary>
    Served,
    /// <summary>200 with a fallback-only feed for a user id beyond the file.</summary>
    UnknownUser,
    /// <summary>400.</summary>
    BadRequest,
    /// <summary>503: nothing at all to return.</summary>
    Unavailable,
    /// <summary>421: the user belongs to another shard.</summary>
    Misdirected,
    PersonalItems,
    FallbackItems,
    /// <summary>Users whose personal list ran out (counted once, by the request that took the last item).</summary>
    ExhaustedUsers,
}
