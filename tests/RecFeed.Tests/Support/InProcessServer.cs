using Microsoft.Extensions.Logging.Abstractions;
using RecFeed.Feed;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Http.Lifecycle;

namespace RecFeed.Tests.Support;

/// <summary>
/// The real server on a free loopback port, serving a feeds file, in this process, on this run's
/// <see cref="TestTransport"/>: composed by <see cref="ServeLifecycle"/> as <c>recfeed serve</c> is, with a state file
/// of its own (so two may serve one feeds file) and no drain.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly ServeLifecycle _serve;
    private readonly TempDirectory _state;

    private InProcessServer(ServeLifecycle serve, TempDirectory state)
    {
        _serve = serve;
        _state = state;
        Address = new Uri(serve.Addresses[0]);
        Client = new HttpClient { BaseAddress = Address };
    }

    public FeedService Service => _serve.Service;
    public ServeStatistics Statistics => _serve.Statistics;

    /// <summary>Every feed: --data's first, then the named ones.</summary>
    public IReadOnlyList<ServedFeed> Feeds => _serve.Feeds;
    public Uri Address { get; }
    public HttpClient Client { get; }

    public static Task<InProcessServer> StartAsync(string feedsFile) => StartAsync(new ServeOptions { Data = feedsFile });

    /// <summary>Serves <paramref name="options"/> on port 0, this run's transport, a fresh state file and no drain.</summary>
    /// <param name="fastLane">The fast lane on or off whatever this run's setting; null for this run's.</param>
    public static async Task<InProcessServer> StartAsync(ServeOptions options, bool? fastLane = null)
    {
        var state = new TempDirectory();
        var stderr = new StringWriter();
        var serve = new ServeLifecycle(options with
        {
            Urls = ["http://127.0.0.1:0"],
            State = options.State ?? state.File("feeds.state"),
            DrainTime = TimeSpan.Zero,
            Transport = TestTransport.Settings with { FastLane = fastLane ?? TestTransport.FastLane },
        }, NullLoggerFactory.Instance, stderr);
        if (await serve.StartAsync(CancellationToken.None) is { } failed)
        {
            await serve.DisposeAsync();
            state.Dispose();
            throw new InvalidOperationException($"serve did not start ({failed}): {stderr}");
        }
        return new InProcessServer(serve, state);
    }

    /// <summary>The admin listener's first address; the options must have named one.</summary>
    public Uri AdminAddress => new(_serve.AdminAddresses[0]);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _serve.StopAsync();
        await _serve.DisposeAsync();
        _state.Dispose();
    }
}
