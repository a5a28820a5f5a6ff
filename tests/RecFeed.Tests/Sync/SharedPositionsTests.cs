using System.Net;
using RecFeed.Http.Lifecycle;
using RecFeed.Sync;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sync;

/// <summary>
/// Whole servers (<see cref="ServeLifecycle"/>, as <c>recfeed serve --positions-redis</c>) sharing read positions
/// through a real redis-server: a user continues on the peer, Redis going away pauses the sync and nothing else, a
/// restart takes the further of the state file and Redis. Waits are for a condition the servers reach, bounded.
/// </summary>
public sealed class SharedPositionsTests : TempDirectoryTest
{
    private const int Users = 200;
    private const int ItemsPerUser = 20;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly RedisServer _redis = new();
    private readonly CapturedLog _log = new();
    private readonly string _data;

    public SharedPositionsTests()
    {
        _data = Dir.File("feeds.bin");
        TwoDatasets.Write(_data, dataset: 1, Users, ItemsPerUser);
    }

    protected override void DisposeFiles()
    {
        _log.Dispose();
        _redis.Dispose();
    }

    private ServeOptions Options(string? state = null) => new()
    {
        Data = _data,
        State = state,
        PositionsRedis = _redis.Address,
        PositionsSyncInterval = Interval,
    };

    private static async Task<uint[]> ReadAsync(InProcessServer server, int user, int size) =>
        TwoDatasets.Parse(await server.Client.GetStringAsync($"/feed/{user}?size={size}"));

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var waited = 0; waited < 600; waited++)
        {
            if (await condition())
                return;
            await Task.Delay(50);
        }
        Assert.Fail($"not within 30 s: {what}");
    }

    private async Task<long> StoredAsync(ulong user) =>
        (await _redis.CallAsync("BITFIELD", PositionKeys.For(_redis.Address, RecFeed.Slab.FeedSlab.ReadHeader(_data)).Values, "GET", "u16", $"#{user}"))
            .Item(0).Integer;

    [Fact]
    public async Task A_user_read_on_one_replica_continues_on_the_other_and_metrics_show_the_sync()
    {
        await using var a = await InProcessServer.StartAsync(Options());
        await using var b = await InProcessServer.StartAsync(Options());

        Assert.Equal([TwoDatasets.Item(1, 4, 0), TwoDatasets.Item(1, 4, 1), TwoDatasets.Item(1, 4, 2)], await ReadAsync(a, 4, 3));
        await UntilAsync(() => Task.FromResult(b.Service.Current.Positions.Read(4) == 3), "B takes in user 4 at 3");

        Assert.Equal([TwoDatasets.Item(1, 4, 3)], await ReadAsync(b, 4, 1));
        var metrics = await a.Client.GetStringAsync("/metrics");
        Assert.Contains("recfeed_positions_sync_up 1\n", metrics);
        Assert.Contains("recfeed_positions_sync_users_sent_total 1\n", metrics);
        Assert.Contains("recfeed_positions_sync_rounds_total{result=\"failed\"} 0\n", metrics);
    }

    [Fact]
    public async Task Redis_stopped_mid_run_pauses_the_sync_serving_goes_on_and_it_resumes_when_redis_is_back()
    {
        var serve = new ServeLifecycle(Options(Dir.File("a.state")) with { Urls = ["http://127.0.0.1:0"], DrainTime = TimeSpan.Zero,
            Transport = TestTransport.Settings }, _log.Factory, TextWriter.Null);
        await using (serve)
        {
            Assert.Null(await serve.StartAsync(CancellationToken.None));
            using var client = new HttpClient { BaseAddress = new Uri(serve.Addresses[0]) };
            Assert.Single(_log.Matching("positions sync: sharing read positions through " + _redis.Address));

            _redis.Stop();
            await UntilAsync(() => Task.FromResult(_log.Matching("positions sync paused: ").Count > 0), "the paused line");
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/feed/9?size=4")).StatusCode);
            Assert.False(serve.Statistics.Sync.Up);
            Assert.Contains("recfeed_positions_sync_up 0\n", await client.GetStringAsync("/metrics"));
            _redis.Start();
            await UntilAsync(() => Task.FromResult(_log.Matching("positions sync resumed: ").Count > 0), "the resumed line");
            await UntilAsync(async () => await StoredAsync(9) == 4, "user 9, read while Redis was away, reaches the restarted Redis");

            Assert.True(serve.Statistics.Sync.Up);
            Assert.True(serve.Statistics.Sync.FailedRounds > 0);
            Assert.Single(_log.Matching("positions sync paused: "));
            Assert.Single(_log.Matching("positions sync resumed: "));
            Assert.Equal(ServeExit.Stopped, await serve.StopAsync());
        }
    }

    [Fact]
    public async Task A_restart_restores_the_further_of_the_state_file_and_redis()
    {
        var state = Dir.File("a.state");
        await using (var first = await InProcessServer.StartAsync(Options(state)))
        {
            await ReadAsync(first, 1, 4);
            await ReadAsync(first, 2, 3);
        } // the stop's last round sends both, its final snapshot writes both
        Assert.Equal((4, 3), (await StoredAsync(1), await StoredAsync(2)));
        var keys = PositionKeys.For(_redis.Address, RecFeed.Slab.FeedSlab.ReadHeader(_data));
        await _redis.CallAsync("BITFIELD", keys.Values, "SET", "u16", "#1", "8", "SET", "u16", "#2", "1"); // a peer read on; Redis lost one

        await using var again = await InProcessServer.StartAsync(Options(state));

        Assert.Equal((8, 3), (again.Service.Current.Positions.Read(1), again.Service.Current.Positions.Read(2)));
        Assert.Equal([TwoDatasets.Item(1, 1, 8)], await ReadAsync(again, 1, 1));
        await UntilAsync(async () => await StoredAsync(2) == 3, "the state file's user 2 goes back to Redis");
    }
}
