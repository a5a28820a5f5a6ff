using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RecFeed.Http.Hosting;

/// <summary>
/// The host shape recfeed serves with: slim builder, socket transport options, logging. Shared with the fixed-body
/// ceiling app in bench/FixedBody, which always runs on Kestrel's sockets: its ceiling is what recfeed's host costs
/// with <c>--transport sockets</c>, not with the default epoll transport. Every choice here was measured; see
/// bench/README.md.
/// </summary>
public static class TunedHost
{
    /// <summary>
    /// The socket engine reads these once, from the environment only (no runtimeconfig knob), when the first socket
    /// is created. Setting them in-process before that bakes the measured default into the binary; a value the user
    /// exported still wins.
    /// </summary>
    private static readonly (string Name, string Value)[] SocketEngineDefaults =
    [
        // Run socket continuations on the epoll thread instead of queueing them to the thread pool: on 2 cores
        // the hop to the pool costs more than the handler itself.
        ("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1"),
    ];

    /// <summary>Call first thing in Main, before anything opens a socket.</summary>
    public static void ApplySocketEngineDefaults()
    {
        foreach (var (name, value) in SocketEngineDefaults)
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
                Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>A slim-builder host listening on <paramref name="urls"/> with recfeed's transport and logging settings.</summary>
    /// <param name="transport">The public listener's transport; null for Kestrel's sockets alone.</param>
    public static WebApplicationBuilder CreateBuilder(string applicationName, IReadOnlyList<string> urls, LogFormat format = LogFormat.Text,
        TransportSettings? transport = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = applicationName });
        // Every setting comes from recfeed's own options: appsettings*.json, ASPNETCORE_* (URLS, HTTP_PORTS) and
        // Kestrel__* / Logging__* variables would otherwise change listeners, limits and logging behind the
        // operator's back. Replaced by an empty in-memory source before anything below writes its own setting.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        // Handlers never block, so they run on the socket's I/O thread: with inline completions above, a request is
        // read, answered and written by one thread with no hand-off. Measured: 0.13-0.15 context switches a request
        // against 0.3-0.7 with the defaults (bench/README.md).
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        transport?.Apply(builder.WebHost);
        ConfigureLogging(builder.Logging, format);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        return builder;
    }

    /// <summary>recfeed's console log, for the hosts and for the serve lifecycle's own logger alike.</summary>
    public static void ConfigureLogging(ILoggingBuilder logging, LogFormat format)
    {
        logging.ClearProviders();
        if (format == LogFormat.Json)
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        else
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
            });
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // The host logs a start failure with its whole stack trace before rethrowing it; recfeed reports it itself
        // in one line ("cannot listen: ..."), so the host's copy is noise.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
    }
}
