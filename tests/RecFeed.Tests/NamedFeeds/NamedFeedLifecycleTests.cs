using RecFeed.Feed;
using RecFeed.Http.Lifecycle;
using RecFeed.State;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.NamedFeeds;

/// <summary>
/// Named feeds through one <see cref="ServeLifecycle"/>: what refuses a start, each feed's own reload (one bad file
/// leaves the others serving, an unchanged file is skipped), each feed's own state file.
/// </summary>
public sealed class NamedFeedLifecycleTests : TempDirectoryTest
{
    private const int Users = 30;
    private const int ItemsPerUser = 8;

    private readonly CapturedLog _log = new();
    private readonly StringWriter _stderr = new();
    private readonly string _data;
    private readonly string _video;

    public NamedFeedLifecycleTests()
    {
        (_data, _video) = (Dir.File("feeds.bin"), Dir.File("video.bin"));
        TwoDatasets.Write(_data, dataset: 1, users: Users, itemsPerUser: ItemsPerUser);
        TwoDatasets.Write(_video, dataset: 2, users: Users, itemsPerUser: ItemsPerUser);
    }

    protected override void DisposeFiles() => _log.Dispose();

    private ServeOptions Options(params NamedFeed[] feeds) => new()
    {
        Data = _data, Feeds = feeds, Urls = ["http://127.0.0.1:0"], DrainTime = TimeSpan.Zero, Transport = TestTransport.Settings,
    };

    private async Task<(ServeLifecycle Serve, HttpClient Client)> StartAsync(ServeOptions options)
    {
        var serve = new ServeLifecycle(options, _log.Factory, _stderr);
        Assert.Null(await serve.StartAsync(CancellationToken.None));
        return (serve, new HttpClient { BaseAddress = new Uri(serve.Addresses[0]) });
    }

    private async Task<(ServeExit? Exit, string Stderr)> RefusedAsync(ServeOptions options)
    {
        await using var serve = new ServeLifecycle(options, _log.Factory, _stderr);
        return (await serve.StartAsync(CancellationToken.None), _stderr.ToString());
    }

    [Theory]
    [InlineData("Video", "must start with a lowercase letter")]
    [InlineData("9lives", "must start with a lowercase letter")]
    [InlineData("vid.eo", "may hold only a-z, 0-9, '_' and '-'")]
    [InlineData("default", "is --data's own")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", "must be 1 to 32 characters")]
    public async Task A_bad_name_refuses_the_start_in_one_line(string name, string why)
    {
        var (exit, stderr) = await RefusedAsync(Options(new NamedFeed(name, _video)));

        Assert.Equal(ServeExit.CannotStart, exit);
        Assert.Equal($"recfeed serve: feed name '{name}' {why}", stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_name_given_twice_refuses_the_start()
    {
        var other = Dir.File("other.bin");
        File.Copy(_video, other);

        var (exit, stderr) = await RefusedAsync(Options(new NamedFeed("video", _video), new NamedFeed("video", other)));

        Assert.Equal(ServeExit.CannotStart, exit);
        Assert.Equal("recfeed serve: feed name 'video' is given twice\n", stderr);
    }

    [Fact]
    public async Task A_bad_file_or_another_shard_for_a_named_feed_refuses_the_start_as_bad_data()
    {
        var truncated = Dir.File("truncated.bin");
        File.WriteAllBytes(truncated, File.ReadAllBytes(_video)[..100]);
        var shard = Dir.File("shard1.bin");
        TestFeeds.WriteLists(shard, [[5], [6]], [7], itemsPerUser: 1, shardIndex: 1, shardCount: 2);

        var (badFile, badFileLine) = await RefusedAsync(Options(new NamedFeed("video", truncated)));
        _stderr.GetStringBuilder().Clear();
        var (badShard, badShardLine) = await RefusedAsync(Options(new NamedFeed("video", shard)));

        Assert.Equal(ServeExit.BadData, badFile);
        Assert.StartsWith($"recfeed serve: {truncated}: ", badFileLine);
        Assert.Equal(ServeExit.BadData, badShard);
        Assert.Equal($"recfeed serve: {shard}: feed 'video' holds shard 1/2, but --data holds shard 0/1; every feed of a process must hold " +
            "the shard its router sends it\n", badShardLine);
    }

    [Fact]
    public async Task A_reload_rejects_one_feeds_bad_file_and_the_others_keep_serving_and_reloading()
    {
        var (serve, client) = await StartAsync(Options(new NamedFeed("video", _video)));
        await using var _ = serve;
        using var __ = client;
        File.WriteAllText(_video + ".new", "not a feeds file");
        File.Move(_video + ".new", _video, overwrite: true);

        var bad = await serve.ReloadAsync("SIGHUP");

        Assert.Equal(ReloadOutcome.Rejected, bad.Outcome);
        Assert.Equal(1, serve.Feeds[1].Statistics.Reloads[ReloadOutcome.Rejected]);
        Assert.Equal(1, serve.Statistics.Reloads[ReloadOutcome.Skipped]);
        Assert.StartsWith("Error: feed video: SIGHUP: reload rejected: ", Assert.Single(_log.Matching("feed video: SIGHUP")));
        Assert.StartsWith("Information: feed default: SIGHUP: reload skipped", Assert.Single(_log.Matching("feed default: SIGHUP")));
        Assert.Equal([TwoDatasets.Item(2, 3, 0)], TwoDatasets.Parse(await client.GetStringAsync("/feed/video/3?size=1")));

        // A new --data file: only it is reloaded; video's bad file is rejected again, and still serves dataset 2.
        var three = Dir.File("three.bin");
        TwoDatasets.Write(three, dataset: 3, users: Users, itemsPerUser: ItemsPerUser);
        File.Move(three, _data, overwrite: true);
        var next = await serve.ReloadAsync("SIGHUP");

        Assert.Equal(ReloadOutcome.Rejected, next.Outcome);
        Assert.Equal(1, serve.Statistics.Reloads[ReloadOutcome.Accepted]);
        Assert.Equal([TwoDatasets.Item(3, 3, 0)], TwoDatasets.Parse(await client.GetStringAsync("/feed/3?size=1")));
        Assert.Equal([TwoDatasets.Item(2, 3, 1)], TwoDatasets.Parse(await client.GetStringAsync("/feed/video/3?size=1")));
    }

    [Fact]
    public async Task A_reload_swaps_only_the_feed_whose_file_changed()
    {
        var (serve, client) = await StartAsync(Options(new NamedFeed("video", _video)));
        await using var _ = serve;
        using var __ = client;
        await client.GetStringAsync("/feed/3?size=2");
        var four = Dir.File("four.bin");
        TwoDatasets.Write(four, dataset: 4, users: Users, itemsPerUser: ItemsPerUser);
        File.Move(four, _video, overwrite: true);

        var result = await serve.ReloadAsync("SIGHUP");

        Assert.Equal(ReloadOutcome.Accepted, result.Outcome);
        Assert.Equal(2, result.Message.Split('\n').Length);
        Assert.Equal(1, serve.Feeds[1].Statistics.Reloads[ReloadOutcome.Accepted]);
        Assert.Equal(1, serve.Statistics.Reloads[ReloadOutcome.Skipped]);
        Assert.Equal([TwoDatasets.Item(4, 3, 0)], TwoDatasets.Parse(await client.GetStringAsync("/feed/video/3?size=1")));
        Assert.Equal([TwoDatasets.Item(1, 3, 2)], TwoDatasets.Parse(await client.GetStringAsync("/feed/3?size=1")));
    }

    [Fact]
    public async Task Each_feed_keeps_its_read_positions_in_its_own_state_file_across_a_restart()
    {
        var options = Options(new NamedFeed("video", _video));
        var (serve, client) = await StartAsync(options);
        await using (serve)
        using (client)
        {
            await client.GetStringAsync("/feed/video/3?size=5");
            await client.GetStringAsync("/feed/3?size=2");
            Assert.Equal(ServeExit.Stopped, await serve.StopAsync());
        }
        Assert.True(File.Exists(StateFile.DefaultPath(_video)));
        Assert.True(File.Exists(StateFile.DefaultPath(_data)));

        var (again, client2) = await StartAsync(options);
        await using var _ = again;
        using var __ = client2;
        Assert.Equal([TwoDatasets.Item(2, 3, 5)], TwoDatasets.Parse(await client2.GetStringAsync("/feed/video/3?size=1")));
        Assert.Equal([TwoDatasets.Item(1, 3, 2)], TwoDatasets.Parse(await client2.GetStringAsync("/feed/3?size=1")));
        Assert.Contains(_log.Lines, l => l.StartsWith("Information: ready: ", StringComparison.Ordinal)
            && l.Contains($"; named feeds: video ({Users} users x {ItemsPerUser} items, {_video}), listening on", StringComparison.Ordinal));
    }
}
