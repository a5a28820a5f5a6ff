using Microsoft.AspNetCore.Http.Features;

namespace RecFeed.Http.FastPath;

/// <summary>
/// A request as <see cref="FeedApplication"/> runs it: either the features of a feed request it answers itself, or
/// the host's own context. A struct, so the fast path allocates no context.
/// </summary>
public readonly struct FeedRequestContext(IFeatureCollection? feedRequest, object? hostContext)
{
    public IFeatureCollection? FeedRequest { get; } = feedRequest;
    public object? HostContext { get; } = hostContext;
}
