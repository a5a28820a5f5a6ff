using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using RecFeed.Http.Endpoints;

namespace RecFeed.Http.FastPath;

/// <summary>
/// What Kestrel runs for every request: <c>GET /feed/{userId}</c> (as <see cref="FeedFastPath"/> decides) is
/// answered straight from the connection's features; everything else goes to the host's own pipeline (host
/// filtering, routing, the generated endpoints). The feed request so skips the host's per-request work: the
/// HttpContext, the diagnostics Activity with its id strings, and the middleware chain. Both paths end in the same
/// <see cref="FeedHandler"/>, which is what keeps one contract.
/// </summary>
/// <remarks>
/// <see cref="CreateContext"/> and <see cref="DisposeContext"/> see the start and the end of every request, on both
/// paths: the place for per-request accounting.
/// </remarks>
public sealed class FeedApplication(IHttpApplication<object> host, FeedHandler feed) : IHttpApplication<FeedRequestContext>
{
    public FeedRequestContext CreateContext(IFeatureCollection contextFeatures) =>
        FeedFastPath.Takes(contextFeatures.GetRequiredFeature<IHttpRequestFeature>())
            ? new(contextFeatures, null)
            : new(null, host.CreateContext(contextFeatures));

    public Task ProcessRequestAsync(FeedRequestContext context)
    {
        var features = context.FeedRequest;
        if (features is null)
            return host.ProcessRequestAsync(context.HostContext!);
        return feed.Feed(features, FeedFastPath.UserId(features.GetRequiredFeature<IHttpRequestFeature>()));
    }

    public void DisposeContext(FeedRequestContext context, Exception? exception)
    {
        if (context.FeedRequest is null)
            host.DisposeContext(context.HostContext!, exception);
    }
}
