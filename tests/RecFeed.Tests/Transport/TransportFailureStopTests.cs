using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Http.Lifecycle;
using RecFeed.Tests.Support;
using RecFeed.Transport.Epoll.Internal;

namespace RecFeed.Tests.Transport;

/// <summary>A failed epoll loop ends <c>serve</c> the clean way: drain skipped or not, the final snapshot is written and the exit is 1.</summary>
public sealed class TransportFailureStopTests : TempDirectoryTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_failed_loop_stops_serve_with_the_final_snapshot_written_and_exit_TransportFailed()
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, 100, itemsPerUser: 20);
        using var log = new CapturedLog();
        var options = new ServeOptions
        {
            Data = data, Urls = ["http://127.0.0.1:0"], DrainTime = TimeSpan.Zero,
            Transport = new TransportSettings { Kind = ServerTransport.Epoll, IoThreads = 2 },
        };
        await using var serve = new ServeLifecycle(options, log.Factory, TextWriter.Null);
        using var neverStopped = new CancellationTokenSource();
        var running = serve.RunAsync(neverStopped.Token);
        await EpollLoopFailureTests.WaitForAsync(() => serve.Addresses.Count > 0 || running.IsCompleted);
        using var client = new HttpClient { BaseAddress = new Uri(serve.Addresses[0]) };
        await client.GetStringAsync("/feed/7?size=3"); // a read position moves: the final snapshot has something to write

        var factory = serve.PublicServices.GetServices<IConnectionListenerFactory>().OfType<EpollTransportFactory>().Single();
        factory.Loops[0].Schedule(_ => throw new InvalidOperationException("injected fault"), null);

        Assert.Equal(ServeExit.TransportFailed, await running.WaitAsync(Patience));
        Assert.Single(log.Matching("stopped: final snapshot written"));
        Assert.True(File.Exists(options.StatePath));
    }
}
