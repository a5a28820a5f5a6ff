using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RecFeed.Feed;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;

namespace RecFeed.Http.Admin;

/// <summary>
/// The operator's listener, a Kestrel instance of its own, so admin routes do not exist on the public listener at
/// all (not merely refused). There is none unless the operator names its URLs: SIGHUP reloads without it, and a
/// default port would keep a second instance on the same host from starting. It runs on
/// <see cref="TransportSettings.Admin"/>, its own epoll loop, so a busy or flooded public listener cannot starve it.
/// <c>POST /admin/reload</c>: 200 with what was loaded (or that the file is unchanged), 422 with why the new file
/// was rejected, 500 when the reload failed for another reason.
/// </summary>
public static class AdminListener
{
    /// <param name="reload">Runs, logs and counts one reload; it is not given the request's token, so a client
    /// hanging up does not leave a reload half done.</param>
    /// <param name="metrics">Serves <c>GET /metrics</c> here when given (<c>--metrics admin</c>).</param>
    public static WebApplication Build(Func<Task<ReloadResult>> reload, IReadOnlyList<string> urls, LogFormat format = LogFormat.Text,
        MetricsHandler? metrics = null)
    {
        var app = ListenerHost.CreateBuilder(urls, HttpLimits.ApplyAdmin, format, TransportSettings.Admin).Build();
        if (metrics != null)
            app.MapGet("/metrics", (HttpContext context) => metrics.Metrics(context));
        app.MapPost("/admin/reload", async (HttpContext context) =>
        {
            var result = await reload();
            context.Response.StatusCode = result.Outcome switch
            {
                ReloadOutcome.Accepted or ReloadOutcome.Skipped => StatusCodes.Status200OK,
                ReloadOutcome.Rejected => StatusCodes.Status422UnprocessableEntity,
                _ => StatusCodes.Status500InternalServerError,
            };
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(result.Message + "\n");
        });
        return app;
    }

    /// <summary>True when every URL's host is a loopback address or "localhost".</summary>
    public static bool IsLoopbackOnly(IEnumerable<string> urls) =>
        urls.All(url => Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))));
}
