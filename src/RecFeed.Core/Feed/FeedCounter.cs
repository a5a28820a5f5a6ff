namespace RecFeed.Feed;

/// <summary>
/// What the feed rule counts as it serves (a request's outcome is counted once, by the HTTP layer's duration
/// histogram). <see cref="FeedCounters"/> gives each processor a 128-byte line of 16 longs, so up to 16 fit.
/// </summary>
public enum FeedCounter
{
    PersonalItems,
    FallbackItems,
    /// <summary>Users whose personal list ran out (counted once, by the request that took the last item).</summary>
    ExhaustedUsers,
}
