using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RecFeed.Feed;

namespace RecFeed.Http;

/// <summary>
/// The operator's listener, a Kestrel instance of its own, so admin routes do not exist on the public listener at
/// all (not merely refused). It binds to loopback unless the operator names another address.
/// <c>POST /admin/reload</c>: 200 with what was loaded, or 422 with why the new file was rejected.
/// </summary>
public static class AdminServer
{
    public const string DefaultUrls = "http://127.0.0.1:8081";

    public static WebApplication Build(FeedReloader reloader, IReadOnlyList<string> urls)
    {
        var app = RecFeedServer.CreateBuilder(urls, HttpLimits.ApplyAdmin).Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("recfeed");
        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        app.MapPost("/admin/reload", async (HttpContext context) =>
        {
            // Not the request's token: a client hanging up must not leave a reload half done.
            var result = await reloader.ReloadAsync(stopping);
            Log(log, result, "POST /admin/reload");
            context.Response.StatusCode = result.Accepted ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(result.Message + "\n", stopping);
        });
        return app;
    }

    /// <summary>One log line per reload, whatever asked for it.</summary>
    public static void Log(ILogger log, ReloadResult result, string trigger)
    {
        if (result.Accepted)
            log.LogInformation("{Trigger}: {Message}", trigger, result.Message);
        else
            log.LogError("{Trigger}: {Message}", trigger, result.Message);
    }

    /// <summary>True when every URL's host is a loopback address or "localhost".</summary>
    public static bool IsLoopbackOnly(IEnumerable<string> urls) =>
        urls.All(url => Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))));
}
