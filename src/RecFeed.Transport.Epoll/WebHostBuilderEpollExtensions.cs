using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RecFeed.Transport.Epoll.Internal;

namespace RecFeed.Transport.Epoll;

/// <summary>Kestrel on recfeed's epoll transport, as <c>UseSockets</c> puts it on .NET's sockets.</summary>
public static class WebHostBuilderEpollExtensions
{
    /// <summary>
    /// Serves IP endpoints through epoll loops; other endpoint kinds (Unix sockets) stay with Kestrel's sockets
    /// transport, which Kestrel asks after this one because factories registered last are asked first. The
    /// transport's <see cref="EpollTransportMetrics"/> is registered as a singleton. Connections an
    /// <see cref="EpollTransportOptions.Lane"/> holds are closed after Kestrel's keep-alive timeout, like Kestrel's own.
    /// </summary>
    public static IWebHostBuilder UseEpoll(this IWebHostBuilder builder, Action<EpollTransportOptions>? configure = null)
    {
        var options = new EpollTransportOptions();
        configure?.Invoke(options);
        var metrics = new EpollTransportMetrics(options.LoopCount);
        return builder.ConfigureServices(services => services
            .AddSingleton(metrics)
            .AddSingleton<IConnectionListenerFactory>(sp =>
            {
                options.LaneIdleTimeout = sp.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.KeepAliveTimeout;
                return new EpollTransportFactory(sp.GetRequiredService<IMemoryPoolFactory<byte>>(), options, metrics, sp.GetRequiredService<ILoggerFactory>());
            }));
    }
}
