using Microsoft.AspNetCore.Builder;
using RecFeed.Feed;
using RecFeed.Http;
using RecFeed.Slab;

namespace RecFeed.Tests.Support;

/// <summary>The real Kestrel server on a free loopback port, serving a feeds file, in this process, on this run's <see cref="TestTransport"/>.</summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessServer(FeedService service, ServeStatistics statistics, WebApplication app, Uri address)
    {
        Service = service;
        Statistics = statistics;
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public FeedService Service { get; }
    public ServeStatistics Statistics { get; }
    public Uri Address { get; }
    public HttpClient Client { get; }

    public static async Task<InProcessServer> StartAsync(string feedsFile)
    {
        var statistics = new ServeStatistics();
        var service = new FeedService(FeedSlab.Load(feedsFile), statistics.Feed);
        var app = RecFeedServer.Build(service, statistics, ["http://127.0.0.1:0"], TestTransport.Settings);
        await app.StartAsync();
        return new InProcessServer(service, statistics, app, new Uri(app.ListeningAddresses()[0]));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Service.Dispose();
    }
}
