using System.Net;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Http.Lifecycle;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Lifecycle;

/// <summary>One <c>recfeed serve</c> life driven in this process: start on port 0, reload, stop.</summary>
public sealed partial class ServeLifecycleTests : TempDirectoryTest
{
    private const int Users = 200;
    private const int ItemsPerUser = 20;

    private readonly CapturedLog _log = new();
    private readonly string _data;

    public ServeLifecycleTests()
    {
        _data = Dir.File("feeds.bin");
        TwoDatasets.Write(_data, dataset: 1, users: Users, itemsPerUser: ItemsPerUser);
    }

    protected override void DisposeFiles() => _log.Dispose();

    /// <summary>On port 0, with no drain: these tests are about what happens before the stop, not during it.</summary>
    private static ServeOptions Options(string data) =>
        new() { Data = data, Urls = ["http://127.0.0.1:0"], DrainTime = TimeSpan.Zero, Transport = TestTransport.Settings };

    private async Task<(ServeLifecycle Serve, HttpClient Client)> StartAsync(string? data = null)
    {
        var serve = new ServeLifecycle(Options(data ?? _data), _log.Factory, TextWriter.Null);
        Assert.Null(await serve.StartAsync(CancellationToken.None));
        return (serve, new HttpClient { BaseAddress = new Uri(serve.Addresses[0]) });
    }

    /// <summary>How an operator ships a new file: write it elsewhere, rename it over the served path.</summary>
    private void RenameOver(string source)
    {
        var temp = _data + ".incoming";
        File.Copy(source, temp, overwrite: true);
        File.Move(temp, _data, overwrite: true);
    }

    /// <summary>Shard 0 and shard 1 of two, user u's one item 100 + u in both.</summary>
    private (string Shard0, string Shard1) WriteTwoShards()
    {
        var rows = Enumerable.Range(0, 10).Select(u => new uint[] { (uint)(100 + u) }).ToList();
        var shards = (Dir.File("feeds.0-of-2.bin"), Dir.File("feeds.1-of-2.bin"));
        TestFeeds.WriteLists(shards.Item1, rows, [7], itemsPerUser: 1, shardIndex: 0, shardCount: 2);
        TestFeeds.WriteLists(shards.Item2, rows, [8], itemsPerUser: 1, shardIndex: 1, shardCount: 2);
        return shards;
    }

    [Fact]
    public async Task Starts_on_port_0_serves_reloads_and_stops_with_a_final_snapshot()
    {
        var (serve, client) = await StartAsync();
        await using (serve)
        using (client)
        {
            Assert.Equal([TwoDatasets.Item(1, 4, 0), TwoDatasets.Item(1, 4, 1)], TwoDatasets.Parse(await client.GetStringAsync("/feed/4?size=2")));
            var two = Dir.File("two.bin");
            TwoDatasets.Write(two, dataset: 2, users: Users, itemsPerUser: ItemsPerUser);
            RenameOver(two);

            var reload = await serve.ReloadAsync("test");

            Assert.Equal(ReloadOutcome.Accepted, reload.Outcome);
            Assert.Equal([TwoDatasets.Item(2, 4, 0)], TwoDatasets.Parse(await client.GetStringAsync("/feed/4?size=1")));
            Assert.Equal(ServeExit.Stopped, await serve.StopAsync());
        }
        Assert.True(File.Exists(_data + ".state"));
        Assert.Single(_log.Matching("ready: "));
        Assert.Single(_log.Matching("stopped: final snapshot written"));
    }

    [Fact]
    public async Task A_stop_first_drains_healthz_answers_503_while_feeds_are_still_served_then_the_listener_closes()
    {
        await using var serve = new ServeLifecycle(Options(_data) with { DrainTime = TimeSpan.FromMinutes(10) }, _log.Factory, TextWriter.Null);
        Assert.Null(await serve.StartAsync(CancellationToken.None));
        using var client = new HttpClient { BaseAddress = new Uri(serve.Addresses[0]) };
        Assert.Equal("ok shard 0/1\n", await client.GetStringAsync("/healthz"));
        using var endDrain = new CancellationTokenSource();

        var stopping = serve.StopAsync(endDrain.Token);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage health;
        while ((health = await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "/healthz never turned to draining");
            await Task.Delay(10);
        }
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "draining\n"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        Assert.Equal([TwoDatasets.Item(1, 2, 0)], TwoDatasets.Parse(await client.GetStringAsync("/feed/2?size=1")));
        Assert.False(stopping.IsCompleted);

        await endDrain.CancelAsync();

        Assert.Equal(ServeExit.Stopped, await stopping);
        using var fresh = new HttpClient { BaseAddress = new Uri(serve.Addresses[0]) };
        await Assert.ThrowsAsync<HttpRequestException>(() => fresh.GetAsync("/healthz"));
        Assert.Single(_log.Matching("stopping: draining, /healthz answers 503 for 600.0 s"));
        Assert.Single(_log.Matching("final snapshot written"));
    }

    [Fact]
    public async Task An_interrupt_skips_the_drain_and_still_finishes_with_the_final_snapshot()
    {
        await using var serve = new ServeLifecycle(Options(_data) with { DrainTime = TimeSpan.FromMinutes(10) }, _log.Factory, TextWriter.Null);
        Assert.Null(await serve.StartAsync(CancellationToken.None));
        using var client = new HttpClient { BaseAddress = new Uri(serve.Addresses[0]) };
        Assert.Equal([TwoDatasets.Item(1, 2, 0)], TwoDatasets.Parse(await client.GetStringAsync("/feed/2?size=1")));

        // Ten minutes of drain would outlast the guard: the stop ends only because there is none.
        Assert.Equal(ServeExit.Stopped, await serve.InterruptAsync().WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Empty(_log.Matching("draining"));
        Assert.Single(_log.Matching("stopping: interrupted (SIGINT), no drain"));
        Assert.Single(_log.Matching("final snapshot written"));
    }

    [Fact]
    public async Task Reloading_an_unchanged_file_is_skipped_without_loading_it()
    {
        var (serve, client) = await StartAsync();
        await using var _ = serve;
        using var __ = client;
        var before = serve.Service.Current;

        var result = await serve.ReloadAsync("SIGHUP");

        Assert.Equal(ReloadOutcome.Skipped, result.Outcome);
        Assert.Same(before, serve.Service.Current); // no new generation: nothing was read or allocated
        Assert.Equal(1, serve.Statistics.Reloads[ReloadOutcome.Skipped]);
        var line = Assert.Single(_log.Matching("SIGHUP: "));
        Assert.StartsWith("Information: SIGHUP: reload skipped: ", line);
        Assert.Contains("unchanged", line);

        // The same bytes written again are a new mtime: that is read and verified, and the read positions stay.
        File.SetLastWriteTimeUtc(_data, DateTime.UtcNow.AddSeconds(5));
        var touched = await serve.ReloadAsync("SIGHUP");
        Assert.Equal(ReloadOutcome.Accepted, touched.Outcome);
        Assert.Contains("read positions kept", touched.Message);
        Assert.NotSame(before, serve.Service.Current);
        Assert.Equal(2, serve.Statistics.Reloads.Attempts);
        Assert.NotNull(serve.Statistics.Reloads.LastSuccess);
    }

    [Fact]
    public async Task A_reload_to_another_shard_is_refused_and_the_old_shard_keeps_serving()
    {
        var (shard0, shard1) = WriteTwoShards();
        var (serve, client) = await StartAsync(shard0);
        await using var _ = serve;
        using var __ = client;
        var datasetBefore = serve.Service.Current.DatasetId;
        File.Copy(shard1, shard0 + ".incoming");
        File.Move(shard0 + ".incoming", shard0, overwrite: true);

        var result = await serve.ReloadAsync("SIGHUP");

        Assert.Equal(ReloadOutcome.Rejected, result.Outcome);
        Assert.Contains("holds shard 1/2, this process serves shard 0/2", result.Message);
        Assert.Equal(datasetBefore, serve.Service.Current.DatasetId);
        Assert.Equal("ok shard 0/2\n", await client.GetStringAsync("/healthz"));
        Assert.Equal("[100]", await client.GetStringAsync("/feed/0?size=1"));
        Assert.Equal(1, serve.Statistics.Reloads[ReloadOutcome.Rejected]);
        Assert.StartsWith("Error: SIGHUP: reload rejected: ", Assert.Single(_log.Matching("SIGHUP: ")));
    }

    [Fact]
    public async Task Healthz_names_the_shard_of_the_generation_being_served_now()
    {
        var (shard0, shard1) = WriteTwoShards();
        var (serve, client) = await StartAsync(shard0);
        await using var _ = serve;
        using var __ = client;
        Assert.Equal("ok shard 0/2\n", await client.GetStringAsync("/healthz"));

        // Past the reloader's refusal, straight into the service: whatever is served is what /healthz says.
        serve.Service.Swap(FeedSlab.Load(shard1));

        Assert.Equal("ok shard 1/2\n", await client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task Out_of_memory_for_the_new_slab_is_a_failed_reload_logged_and_counted_and_the_old_data_keeps_serving()
    {
        var (serve, client) = await StartAsync();
        await using var _ = serve;
        using var __ = client;
        // A valid header promising a 1 TiB payload, in a sparse file of that length: the slab cannot be allocated.
        var huge = Dir.File("huge.bin");
        var header = FeedFileHeader.Create(userCount: 1UL << 26, itemsPerUser: 4096, fallbackCount: 1, seed: 0);
        header.DatasetId = 0x5eed;
        var bytes = new byte[FeedFileHeader.Size];
        header.WriteTo(bytes);
        using (var file = new FileStream(huge, FileMode.CreateNew))
        {
            file.Write(bytes);
            file.SetLength((long)header.FileLength);
        }
        File.Move(huge, _data, overwrite: true);

        var result = await serve.ReloadAsync("SIGHUP");

        Assert.Equal(ReloadOutcome.Failed, result.Outcome);
        Assert.Contains("OutOfMemoryException", result.Message);
        Assert.Equal(1, serve.Statistics.Reloads[ReloadOutcome.Failed]);
        var line = Assert.Single(_log.Matching("SIGHUP: "));
        Assert.StartsWith("Error: SIGHUP: reload failed: ", line);
        Assert.Contains("still serving dataset", line);
        Assert.Equal([TwoDatasets.Item(1, 3, 0)], TwoDatasets.Parse(await client.GetStringAsync("/feed/3?size=1")));
    }
}
