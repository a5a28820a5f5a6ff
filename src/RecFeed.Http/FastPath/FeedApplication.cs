using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using RecFeed.Http.Endpoints;

namespace RecFeed.Http.FastPath;

/// <summary>
/// What Kestrel runs for every request: <c>GET /feed/{userId}</c> and <c>/feed/{name}/{userId}</c> (as
/// <see cref="FeedFastPath"/> decides) are
/// answered straight from the connection's features by the feed's handler; everything else goes to the host's own pipeline (host
/// filtering, routing, the generated endpoints). The feed request so skips the host's per-request work: the
/// HttpContext, the diagnostics Activity with its id strings, and the middleware chain. Both paths end in the same
/// <see cref="FeedHandler"/>, which is what keeps one contract.
/// </summary>
/// <remarks>
/// <see cref="CreateContext"/> and <see cref="DisposeContext"/> see the start and the end of every request, on both
/// paths: the place for per-request accounting.
/// </remarks>
public sealed class FeedApplication(IHttpApplication<object> host, FeedFastPath paths) : IHttpApplication<FeedRequestContext>
{
    public FeedRequestContext CreateContext(IFeatureCollection contextFeatures)
    {
        var request = contextFeatures.GetRequiredFeature<IHttpRequestFeature>();
        return HttpMethods.IsGet(request.Method) && paths.TryRoute(request.Path.AsSpan(), out var feed, out var userIdStart)
            ? new(contextFeatures, null, feed, userIdStart)
            : new(null, host.CreateContext(contextFeatures));
    }

    public Task ProcessRequestAsync(FeedRequestContext context)
    {
        var features = context.FeedRequest;
        if (features is null)
            return host.ProcessRequestAsync(context.HostContext!);
        return context.Feed is { } feed
            ? feed.Feed(features, features.GetRequiredFeature<IHttpRequestFeature>().Path.AsSpan(context.UserIdStart))
            : FeedFastPath.UnknownFeed(features);
    }

    public void DisposeContext(FeedRequestContext context, Exception? exception)
    {
        if (context.FeedRequest is null)
            host.DisposeContext(context.HostContext!, exception);
    }
}
