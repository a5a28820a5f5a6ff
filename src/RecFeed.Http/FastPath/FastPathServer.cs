using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace RecFeed.Http.FastPath;

/// <summary>
/// Kestrel as the host registered it, started with <see cref="FeedApplication"/> around the app the host
/// built: the host, its lifetime, addresses and limits stay as they are; only what runs per request changes.
/// </summary>
public sealed class FastPathServer(IServer kestrel, FeedFastPath paths) : IServer
{
    public IFeatureCollection Features => kestrel.Features;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull =>
        kestrel.StartAsync(new FeedApplication(new ObjectContextApplication<TContext>(application), paths), cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => kestrel.StopAsync(cancellationToken);

    public void Dispose() => kestrel.Dispose();
}
