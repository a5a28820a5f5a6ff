using Microsoft.Extensions.Hosting;

namespace RecFeed.Http.Hosting;

/// <summary>
/// A host lifetime that does not listen to SIGINT/SIGTERM. The default console lifetime stops Kestrel at the first
/// signal, which would close the listener before recfeed's own stop sequence drains it (<c>ServeLifecycle</c>
/// owns the signals and the order of the stop).
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
