using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RecFeed.Transport.Epoll;

namespace RecFeed.Http.Hosting;

/// <summary>What moves bytes between the public listener's sockets and Kestrel (<c>serve --transport</c>).</summary>
public enum ServerTransport
{
    /// <summary>recfeed's own loops on Linux epoll (RecFeed.Transport.Epoll).</summary>
    Epoll,

    /// <summary>Kestrel's transport on .NET's sockets.</summary>
    Sockets,
}

/// <summary>The public listener's transport and its settings; the one place their defaults live.</summary>
public sealed record TransportSettings
{
    /// <summary>epoll: measured against sockets in bench/README.md (less CPU per request, lower p99).</summary>
    public const ServerTransport DefaultKind = ServerTransport.Epoll;

    /// <summary>
    /// The smallest <see cref="MaxRequestBufferSize"/>: the largest request <see cref="HttpLimits"/> lets through
    /// (a 1 KiB request line and 8 KiB of headers) must fit, or it would wait for its headers timeout.
    /// </summary>
    public const long MinRequestBufferSize = 16 * 1024;

    public static readonly TransportSettings Default = new();

    /// <summary>
    /// The admin listener's: epoll with one loop of its own (each host builds its own loops), so it answers whatever
    /// the public listener is doing, on either transport, at the cost of one mostly idle thread.
    /// </summary>
    public static readonly TransportSettings Admin = new() { Kind = ServerTransport.Epoll, IoThreads = 1 };

    public ServerTransport Kind { get; init; } = DefaultKind;

    /// <summary>The epoll transport's loop threads; 0 (the default) for one per core.</summary>
    public int IoThreads { get; init; }

    /// <summary>Unparsed request bytes held per connection before the transport stops reading from it.</summary>
    public long MaxRequestBufferSize { get; init; } = EpollTransportOptions.DefaultMaxInputBufferSize;

    /// <summary>
    /// Whether the epoll transport answers plain <c>GET /feed/{userId}</c> on its loops (<c>serve --fast-lane</c>);
    /// on sockets there is no lane and this changes nothing.
    /// </summary>
    public bool FastLane { get; init; } = DefaultFastLane;

    /// <summary>On: the whole suite passes with it on and off (issue 19); <c>--fast-lane off</c> leaves every request to Kestrel.</summary>
    public const bool DefaultFastLane = true;

    /// <summary>The lane itself, set by the public listener when <see cref="FastLane"/> is on; the admin listener has none.</summary>
    public IRequestLane? Lane { get; init; }

    /// <summary>Told when an epoll loop fails (already logged); whoever runs the server stops it.</summary>
    public Action<Exception>? LoopFailed { get; init; }

    /// <summary>
    /// Puts Kestrel on the chosen transport. Sockets runs with .NET's defaults: inline completions and inline
    /// scheduling let one pipelining client hold the socket engine's only thread, starving every other connection
    /// and the accept loop.
    /// </summary>
    public void Apply(IWebHostBuilder host)
    {
        if (Kind == ServerTransport.Epoll)
            host.UseEpoll(o =>
            {
                o.IoThreads = IoThreads;
                o.MaxInputBufferSize = MaxRequestBufferSize;
                o.LoopFailed = LoopFailed;
                o.Lane = Lane;
            });
        else
            host.ConfigureServices(services => services.AddSingleton<IConnectionListenerFactory>(
                sp => new PausingSocketTransportFactory(sp.GetRequiredService<ILoggerFactory>(), MaxRequestBufferSize)));
    }

    /// <summary>For the ready line: what runs.</summary>
    public string Describe()
    {
        if (Kind != ServerTransport.Epoll)
            return "sockets";
        var loops = new EpollTransportOptions { IoThreads = IoThreads }.LoopCount;
        var described = loops == 1 ? "epoll (1 loop thread)" : $"epoll ({loops} loop threads)";
        return FastLane ? described + " with the fast lane" : described;
    }
}
