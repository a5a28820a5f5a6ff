using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace RecFeed.Http.Hosting;

/// <summary>
/// Kestrel limits sized for this API, set explicitly rather than inherited, so a client cannot make the server hold
/// large buffers or idle connections. Kestrel answers a request beyond them with a 4xx (414, 431, 408, 413, 400)
/// and closes the connection; none of them reaches a handler.
/// </summary>
public static class HttpLimits
{
    /// <summary>
    /// The longest valid request line is <c>GET /feed/4294967295?size=65535 HTTP/1.1</c> (40 bytes, 42 with its CRLF);
    /// 1 KiB leaves room for extra query parameters.
    /// </summary>
    public const int MaxRequestLine = 1024;

    /// <summary>Browsers and proxies send well under 2 KiB of headers; 8 KiB fits generous tracing headers.</summary>
    public const int MaxHeadersTotal = 8 * 1024;

    public const int MaxHeaderCount = 32;

    /// <summary>Longer than a load balancer's usual 60 s idle timeout, so the balancer, not us, closes idle connections (no race on reuse).</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(75);

    /// <summary>Time to send the request line and headers: defeats slow-header (slowloris) connections.</summary>
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The public listener: GET only, no bodies.</summary>
    public static void ApplyPublic(KestrelServerOptions options)
    {
        Apply(options);
        options.Limits.MaxRequestBodySize = 0;
    }

    /// <summary>The admin listener: the same, plus room for a small body some clients send with POST.</summary>
    public static void ApplyAdmin(KestrelServerOptions options)
    {
        Apply(options);
        options.Limits.MaxRequestBodySize = 4 * 1024;
        options.Limits.MaxConcurrentConnections = 16;
    }

    private static void Apply(KestrelServerOptions options)
    {
        options.AddServerHeader = false;
        var limits = options.Limits;
        limits.MaxRequestLineSize = MaxRequestLine;
        limits.MaxRequestHeadersTotalSize = MaxHeadersTotal;
        limits.MaxRequestHeaderCount = MaxHeaderCount;
        limits.KeepAliveTimeout = KeepAlive;
        limits.RequestHeadersTimeout = HeadersTimeout;
        limits.Http2.MaxRequestHeaderFieldSize = MaxHeadersTotal;
    }
}
