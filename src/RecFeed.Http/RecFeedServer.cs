using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RecFeed.Feed;

namespace RecFeed.Http;

/// <summary>Composes Kestrel, logging and the endpoints around a loaded <see cref="FeedService"/>.</summary>
public static class RecFeedServer
{
    /// <param name="metrics">Where <c>GET /metrics</c> is answered; on <see cref="MetricsListener.Admin"/> it is not mapped here.</param>
    public static WebApplication Build(FeedService service, IReadOnlyList<string> urls, TransportSettings transport, HealthCheck? health = null,
        LogFormat format = LogFormat.Text, MetricsListener metrics = MetricsListener.Public)
    {
        var feed = new FeedHandler(service);
        var builder = CreateBuilder(urls, HttpLimits.ApplyPublic, format, transport);
        ServeFeedAheadOfHost(builder.Services, feed);
        var app = builder.Build();
        // The shard is part of the health answer so a router's check can refuse a backend started on the wrong file.
        health ??= new HealthCheck(service);
        // GET /feed/{userId} is normally answered by FeedApplication before this pipeline; the route stays for what
        // the fast path passes on (e.g. a trailing slash), with the same handler.
        app.MapGet("/feed/{userId}", (HttpContext context, string userId) => feed.Feed(context.Features, userId));
        app.MapGet("/feed", (HttpContext context) => feed.MissingUserId(context.Features));
        app.MapGet("/healthz", (HttpContext context) => health.Write(context));
        if (metrics == MetricsListener.Public)
        {
            var handler = new MetricsHandler(service);
            app.MapGet("/metrics", (HttpContext context) => handler.Metrics(context));
        }
        return app;
    }

    /// <summary>
    /// Replaces the registered server (Kestrel) by a <see cref="FeedServer"/> around it, so Kestrel runs
    /// <see cref="FeedApplication"/>. The original registration is kept under its own type, so Kestrel is
    /// still built by the container exactly as the host set it up.
    /// </summary>
    private static void ServeFeedAheadOfHost(IServiceCollection services, FeedHandler feed)
    {
        var registered = services.Single(d => d.ServiceType == typeof(IServer));
        var kestrel = registered.ImplementationType
            ?? throw new InvalidOperationException("the host registered its server by factory; FeedServer expects a type");
        services.Remove(registered);
        services.AddSingleton(kestrel);
        services.AddSingleton<IServer>(sp => new FeedServer((IServer)sp.GetRequiredService(kestrel), feed));
    }

    /// <summary>How long stopping waits for in-flight requests before cutting them off.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The tuned host (<see cref="ServerTuning"/>) with a listener's limits and the drain budget on stop; it leaves
    /// SIGINT/SIGTERM to whoever runs it (<see cref="SignalFreeLifetime"/>).
    /// </summary>
    internal static WebApplicationBuilder CreateBuilder(IReadOnlyList<string> urls, Action<KestrelServerOptions> limits, LogFormat format,
        TransportSettings? transport = null)
    {
        var builder = ServerTuning.CreateBuilder("recfeed", urls, format, transport);
        builder.WebHost.ConfigureKestrel(limits);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        return builder;
    }

    /// <summary>The addresses Kestrel really listens on (port 0 resolved), once started.</summary>
    public static IReadOnlyList<string> ListeningAddresses(this WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];
}
