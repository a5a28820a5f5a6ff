using Microsoft.AspNetCore.Http.Features;
using RecFeed.Http.Endpoints;

namespace RecFeed.Http.FastPath;

/// <summary>
/// A request as <see cref="FeedApplication"/> runs it: either the features of a feed request it answers itself, or
/// the host's own context. A struct, so the fast path allocates no context.
/// </summary>
/// <param name="feed">The feed that answers a feed request; null for a name not served (404).</param>
/// <param name="userIdStart">Where the user id segment starts in the request's path.</param>
public readonly struct FeedRequestContext(IFeatureCollection? feedRequest, object? hostContext, FeedHandler? feed = null, int userIdStart = 0)
{
    public IFeatureCollection? FeedRequest { get; } = feedRequest;
    public object? HostContext { get; } = hostContext;
    public FeedHandler? Feed { get; } = feed;
    public int UserIdStart { get; } = userIdStart;
}
