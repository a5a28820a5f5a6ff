using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RecFeed.Http.Hosting;

/// <summary>What the public and the admin listener share: the tuned host with a listener's limits, the stop budget, the bound addresses.</summary>
public static class ListenerHost
{
    /// <summary>How long stopping waits for in-flight requests before cutting them off.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The tuned host (<see cref="TunedHost"/>) with a listener's limits and the drain budget on stop; it leaves
    /// SIGINT/SIGTERM to whoever runs it (<see cref="SignalFreeLifetime"/>).
    /// </summary>
    internal static WebApplicationBuilder CreateBuilder(IReadOnlyList<string> urls, Action<KestrelServerOptions> limits, LogFormat format,
        TransportSettings? transport = null)
    {
        var builder = TunedHost.CreateBuilder("recfeed", urls, format, transport);
        builder.WebHost.ConfigureKestrel(limits);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        return builder;
    }

    /// <summary>The addresses Kestrel really listens on (port 0 resolved), once started.</summary>
    public static IReadOnlyList<string> ListeningAddresses(this WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];
}
