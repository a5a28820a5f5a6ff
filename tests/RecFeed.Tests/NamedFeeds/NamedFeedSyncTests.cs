using RecFeed.Http.Lifecycle;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.NamedFeeds;

/// <summary>
/// <c>--positions-redis</c> with named feeds, two whole servers on a real redis-server: each feed syncs its own
/// positions, so a user read on one replica's named feed continues there on the peer, and no other feed moves,
/// not even one serving the same dataset under another name.
/// </summary>
public sealed class NamedFeedSyncTests : TempDirectoryTest
{
    private const int Users = 40;
    private const int ItemsPerUser = 10;

    private readonly RedisServer _redis = new();
    private readonly string _data;
    private readonly string _video;

    public NamedFeedSyncTests()
    {
        (_data, _video) = (Dir.File("feeds.bin"), Dir.File("video.bin"));
        TwoDatasets.Write(_data, dataset: 1, Users, ItemsPerUser);
        TwoDatasets.Write(_video, dataset: 2, Users, ItemsPerUser);
    }

    protected override void DisposeFiles() => _redis.Dispose();

    /// <summary>"copy" serves --data's own file (same dataset id) under a name: its keys must still be its own.</summary>
    private ServeOptions Options(string replica) => new()
    {
        Data = _data,
        Feeds = [new NamedFeed("video", _video, Dir.File($"{replica}-video.state")), new NamedFeed("copy", _data, Dir.File($"{replica}-copy.state"))],
        PositionsRedis = _redis.Address,
        PositionsSyncInterval = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task A_named_feeds_positions_reach_the_peers_same_feed_and_no_other()
    {
        await using var a = await InProcessServer.StartAsync(Options("a"));
        await using var b = await InProcessServer.StartAsync(Options("b"));

        Assert.Equal([TwoDatasets.Item(2, 4, 0), TwoDatasets.Item(2, 4, 1), TwoDatasets.Item(2, 4, 2)],
            TwoDatasets.Parse(await a.Client.GetStringAsync("/feed/video/4?size=3")));
        Assert.Equal([TwoDatasets.Item(1, 5, 0)], TwoDatasets.Parse(await a.Client.GetStringAsync("/feed/copy/5?size=1")));
        for (var waited = 0; b.Feeds[1].Service.Current.Positions.Read(4) != 3 || b.Feeds[2].Service.Current.Positions.Read(5) != 1; waited++)
        {
            Assert.True(waited < 600, "B did not take in video's user 4 at 3 and copy's user 5 at 1 within 30 s");
            await Task.Delay(50);
        }

        Assert.Equal([TwoDatasets.Item(2, 4, 3)], TwoDatasets.Parse(await b.Client.GetStringAsync("/feed/video/4?size=1")));
        // The same dataset as "copy", but its own keys: --data's user 5 has not moved anywhere.
        Assert.Equal(0, b.Feeds[0].Service.Current.Positions.Read(5));
        Assert.Equal([TwoDatasets.Item(1, 5, 0)], TwoDatasets.Parse(await b.Client.GetStringAsync("/feed/5?size=1")));
        var samples = MetricsText.Samples(await a.Client.GetStringAsync("/metrics"));
        Assert.Equal(1, samples["recfeed_positions_sync_users_sent_total{feed=\"video\"}"]);
        Assert.Equal(0, samples["recfeed_positions_sync_users_sent_total{feed=\"default\"}"]);
        Assert.Equal(1, samples["recfeed_positions_sync_up{feed=\"copy\"}"]);
    }
}
