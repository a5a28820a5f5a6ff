using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RecFeed.Feed;

namespace RecFeed.Http;

/// <summary>Composes Kestrel, logging and the endpoints around a loaded <see cref="FeedService"/>.</summary>
public static class RecFeedServer
{
    private static ReadOnlySpan<byte> Ok => "ok\n"u8;

    public static WebApplication Build(FeedService service, IReadOnlyList<string> urls)
    {
        var app = ServerTuning.CreateBuilder("recfeed", urls).Build();
        var feed = new FeedHandler(service);
        var metrics = new MetricsHandler(service);
        // The hot endpoint goes ahead of routing; calling UseRouting after it keeps routing for everything else.
        app.Use((context, next) => FeedFastPath.TryServe(context, feed) ?? next(context));
        app.UseRouting();
        app.MapGet("/feed/{userId}", (HttpContext context, string userId) => feed.Feed(context, userId));
        app.MapGet("/feed", (HttpContext context) => feed.MissingUserId(context));
        app.MapGet("/healthz", (HttpContext context) =>
        {
            FeedHandler.WriteText(context.Response, StatusCodes.Status200OK, Ok);
            return Task.CompletedTask;
        });
        app.MapGet("/metrics", (HttpContext context) => metrics.Metrics(context));
        return app;
    }

    /// <summary>The addresses Kestrel really listens on (port 0 resolved), once started.</summary>
    public static IReadOnlyList<string> ListeningAddresses(this WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];
}
