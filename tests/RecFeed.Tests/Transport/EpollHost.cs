using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Tests.Support;
using RecFeed.Transport.Epoll;
using RecFeed.Transport.Epoll.Internal;

namespace RecFeed.Tests.Transport;

/// <summary>
/// Real Kestrel on the epoll transport, in this process, on port 0, whatever transport this run of the suite uses:
/// the transport itself is under test. Everything logged, the transport's own lines included, is captured. It
/// answers <c>GET /</c> with "ok" under recfeed's public HTTP limits.
/// </summary>
public sealed class EpollHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EpollHost(WebApplication app, CapturedLog log)
    {
        _app = app;
        Log = log;
        Addresses = [.. app.ListeningAddresses().Select(a => new Uri(a))];
        Factory = app.Services.GetServices<IConnectionListenerFactory>().OfType<EpollTransportFactory>().Single();
    }

    public CapturedLog Log { get; }
    public IReadOnlyList<Uri> Addresses { get; }
    public Uri Address => Addresses[0];
    internal EpollTransportFactory Factory { get; }
    public EpollTransportMetrics Metrics => Factory.Metrics;

    /// <param name="limits">Changes to recfeed's public limits (a shorter keep-alive timeout, say).</param>
    public static async Task<EpollHost> StartAsync(Action<EpollTransportOptions> configure, int urls = 1, Action<KestrelServerOptions>? limits = null)
    {
        var log = new CapturedLog();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(log);
        builder.WebHost.UseUrls([.. Enumerable.Repeat("http://127.0.0.1:0", urls)]);
        builder.WebHost.ConfigureKestrel(HttpLimits.ApplyPublic);
        if (limits is not null)
            builder.WebHost.ConfigureKestrel(limits);
        builder.WebHost.UseEpoll(configure);
        var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        return new EpollHost(app, log);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Log.Dispose();
    }
}
