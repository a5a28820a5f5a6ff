using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace RecFeed.Http.FastPath;

/// <summary>
/// The host's application seen with its context typed as object. <see cref="FastPathServer"/> hands Kestrel one closed
/// application type, <see cref="FeedApplication"/>, instead of one per host context type: a wrapper generic over the
/// context it wraps, started through <see cref="IServer"/> (which the wrapper itself implements), is an endless
/// generic expansion for Native AOT. The host's context is a class, so the cast costs no allocation.
/// </summary>
public sealed class ObjectContextApplication<TContext>(IHttpApplication<TContext> app) : IHttpApplication<object>
    where TContext : notnull
{
    public object CreateContext(IFeatureCollection contextFeatures) => app.CreateContext(contextFeatures);

    public Task ProcessRequestAsync(object context) => app.ProcessRequestAsync((TContext)context);

    public void DisposeContext(object context, Exception? exception) => app.DisposeContext((TContext)context, exception);
}
