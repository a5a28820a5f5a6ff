using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RecFeed.Feed;
using RecFeed.Http.Endpoints;
using RecFeed.Http.FastPath;
using RecFeed.Http.Lifecycle;
using RecFeed.Http.Metrics;
using RecFeed.Transport.Epoll;

namespace RecFeed.Http.Hosting;

/// <summary>
/// Builds the public listener: Kestrel on the chosen transport (on epoll, with the fast lane if asked for), the feed
/// fast path ahead of the host, and the endpoints around the loaded feeds (<see cref="ServedFeed"/>).
/// </summary>
public static class PublicListener
{
    /// <param name="feeds">--data's feed first, then the named ones: requests are counted into each feed's statistics,
    /// /metrics and the <see cref="FeedMeter"/> (living as long as the app) read them.</param>
    /// <param name="metrics">Where <c>GET /metrics</c> is answered; on <see cref="MetricsListener.Admin"/> it is not mapped here.</param>
    public static WebApplication Build(IReadOnlyList<ServedFeed> feeds, IReadOnlyList<string> urls, TransportSettings transport,
        HealthCheck health, LogFormat format = LogFormat.Text, MetricsListener metrics = MetricsListener.Public)
    {
        var feed = new FeedHandler(feeds[0].Service, feeds[0].Statistics.Requests);
        var paths = new FeedFastPath(feed, [.. feeds.Skip(1).Select(f => (f.Name, new FeedHandler(f.Service, f.Statistics.Requests)))]);
        var date = transport.FastLane && transport.Kind == ServerTransport.Epoll ? new HttpDate() : null;
        var builder = ListenerHost.CreateBuilder(urls, HttpLimits.ApplyPublic, format,
            date is null ? transport : transport with { Lane = new FeedLane(paths, date) });
        if (date is { } clock)
            builder.Services.AddSingleton(_ => clock); // created by the container, so its timer is disposed with it
        ServeFeedAheadOfHost(builder.Services, paths);
        // created by the container, so disposed with it
        builder.Services.AddSingleton(_ => FeedMeter.Create(feeds));
        var app = builder.Build();
        app.Services.GetRequiredService<Meter>();
        // GET /feed/{userId} and /feed/{name}/{userId} are normally answered by FeedApplication before this pipeline;
        // the routes stay for what the fast path passes on (e.g. a trailing slash), with the same handlers.
        app.MapGet("/feed/{userId}", (HttpContext context, string userId) => feed.Feed(context.Features, userId));
        app.MapGet("/feed/{name}/{userId}", (HttpContext context, string name, string userId) => paths.Routed(context.Features, name, userId));
        app.MapGet("/feed", (HttpContext context) => feed.MissingUserId(context.Features));
        app.MapGet("/healthz", (HttpContext context) => health.Write(context));
        if (metrics == MetricsListener.Public)
        {
            var handler = new MetricsHandler(feeds, app.Services.GetService<EpollTransportMetrics>());
            app.MapGet("/metrics", (HttpContext context) => handler.Metrics(context));
        }
        return app;
    }

    /// <summary>
    /// Replaces the registered server (Kestrel) by a <see cref="FastPathServer"/> around it, so Kestrel runs
    /// <see cref="FeedApplication"/>. The original registration is kept under its own type, so Kestrel is
    /// still built by the container exactly as the host set it up.
    /// </summary>
    private static void ServeFeedAheadOfHost(IServiceCollection services, FeedFastPath paths)
    {
        var registered = services.Single(d => d.ServiceType == typeof(IServer));
        var kestrel = registered.ImplementationType
            ?? throw new InvalidOperationException("the host registered its server by factory; FastPathServer expects a type");
        services.Remove(registered);
        services.AddSingleton(kestrel);
        services.AddSingleton<IServer>(sp => new FastPathServer((IServer)sp.GetRequiredService(kestrel), paths));
    }
}
