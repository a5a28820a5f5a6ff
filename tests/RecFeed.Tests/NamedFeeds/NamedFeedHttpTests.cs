using System.Net;
using RecFeed.Feed;
using RecFeed.Http.Lifecycle;
using RecFeed.Http.Metrics;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.NamedFeeds;

/// <summary>
/// Named feeds over real Kestrel on this run's transport, with the fast lane off and on: <c>/feed/{userId}</c> serves
/// --data, <c>/feed/{name}/{userId}</c> the named feed, each with its own read positions and its own metrics.
/// </summary>
public sealed class NamedFeedHttpTests : TempDirectoryTest
{
    private const int Users = 50;
    private const int ItemsPerUser = 10;

    private readonly string _data;
    private readonly string _video;
    private readonly string _homeB;

    public NamedFeedHttpTests()
    {
        (_data, _video, _homeB) = (Dir.File("feeds.bin"), Dir.File("video.bin"), Dir.File("home-b.bin"));
        TwoDatasets.Write(_data, dataset: 1, users: Users, itemsPerUser: ItemsPerUser);
        TwoDatasets.Write(_video, dataset: 2, users: Users, itemsPerUser: ItemsPerUser);
        TwoDatasets.Write(_homeB, dataset: 3, users: Users, itemsPerUser: ItemsPerUser);
    }

    private Task<InProcessServer> StartAsync(bool fastLane) => InProcessServer.StartAsync(new ServeOptions
    {
        Data = _data,
        Feeds = [new NamedFeed("video", _video), new NamedFeed("home-b", _homeB)],
    }, fastLane);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_path_serves_its_own_feed_from_its_own_read_positions(bool fastLane)
    {
        await using var server = await StartAsync(fastLane);

        Assert.Equal([TwoDatasets.Item(2, 4, 0), TwoDatasets.Item(2, 4, 1)], await ListAsync(server, "/feed/video/4?size=2"));
        Assert.Equal([TwoDatasets.Item(2, 4, 2), TwoDatasets.Item(2, 4, 3)], await ListAsync(server, "/feed/video/4?size=2"));
        // --data's and home-b's positions for user 4 did not move.
        Assert.Equal([TwoDatasets.Item(1, 4, 0)], await ListAsync(server, "/feed/4?size=1"));
        Assert.Equal([TwoDatasets.Item(3, 4, 0), TwoDatasets.Item(3, 4, 1), TwoDatasets.Item(3, 4, 2)], await ListAsync(server, "/feed/home-b/4?size=3"));
        // A trailing slash goes through routing, to the same handler and positions.
        Assert.Equal([TwoDatasets.Item(2, 4, 4)], await ListAsync(server, "/feed/video/4/?size=1"));
        Assert.Equal([TwoDatasets.Item(1, 4, 1)], await ListAsync(server, "/feed/4/?size=1"));
        Assert.Equal(2, server.Statistics.Requests.Requests(FeedOutcome.Served)); // --data's feed counts its own requests only
    }

    [Theory]
    [InlineData(false, "/feed/audio/4")]
    [InlineData(true, "/feed/audio/4")]
    [InlineData(true, "/feed/Video/4")]
    [InlineData(false, "/feed/5/6")]
    [InlineData(true, "/feed/5/6?size=1")]
    [InlineData(true, "/feed/video-/4")]
    public async Task A_name_not_served_is_404_with_one_line_and_counted_nowhere(bool fastLane, string target)
    {
        await using var server = await StartAsync(fastLane);

        var raw = await RawHttp.GetAsync(server.Address, target);

        Assert.Equal(404, RawHttp.Status(raw));
        Assert.Contains("Content-Type: text/plain", raw, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("unknown feed: this server serves no feed of that name\n", RawHttp.Body(raw));
        var samples = MetricsText.Samples(await server.Client.GetStringAsync("/metrics"));
        Assert.All(samples.Where(s => s.Key.StartsWith("recfeed_requests_total{", StringComparison.Ordinal)), s => Assert.Equal(0, s.Value));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bad_ids_and_sizes_on_a_named_feed_get_the_default_feeds_answers(bool fastLane)
    {
        await using var server = await StartAsync(fastLane);

        foreach (var (named, plain) in new[] { ("/feed/video/x1", "/feed/x1"), ("/feed/video/4?size=0", "/feed/4?size=0"), ("/feed/video/", "/feed/") })
        {
            var (a, b) = (await RawHttp.GetAsync(server.Address, named), await RawHttp.GetAsync(server.Address, plain));
            Assert.Equal((RawHttp.Status(b), RawHttp.Body(b)), (RawHttp.Status(a), RawHttp.Body(a)));
        }
    }

    [Fact]
    public async Task Healthz_names_every_feed_after_the_shard()
    {
        await using var server = await StartAsync(fastLane: false);

        Assert.Equal("ok shard 0/1 feeds default video home-b\n", await server.Client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task Every_per_feed_metric_is_labelled_by_feed_and_promtool_accepts_the_page()
    {
        await using var server = await StartAsync(fastLane: TestTransport.FastLane);
        await ListAsync(server, "/feed/video/1?size=3");
        await ListAsync(server, "/feed/video/2?size=3");
        await ListAsync(server, "/feed/1?size=2");
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("/feed/home-b/x")).StatusCode);

        var body = await server.Client.GetStringAsync("/metrics");
        var samples = MetricsText.Samples(body);

        Assert.Equal(2, samples["recfeed_requests_total{feed=\"video\",outcome=\"served\"}"]);
        Assert.Equal(1, samples["recfeed_requests_total{feed=\"default\",outcome=\"served\"}"]);
        Assert.Equal(1, samples["recfeed_requests_total{feed=\"home-b\",outcome=\"bad_request\"}"]);
        Assert.Equal(6, samples["recfeed_personal_items_total{feed=\"video\"}"]);
        Assert.Equal(2, samples["recfeed_request_duration_seconds_count{feed=\"video\",outcome=\"served\"}"]);
        var video = FeedSlab.ReadHeader(_video).DatasetId;
        Assert.Equal(1, samples[$"recfeed_dataset_info{{feed=\"video\",dataset_id=\"{video:x16}\",shard=\"0/1\",file=\"{_video}\"}}"]);
        Assert.Equal(0, samples["recfeed_reloads_total{feed=\"home-b\",result=\"rejected\"}"]);
        // Every sample of a per-feed family carries the label; only the process's own families do not.
        var unlabelled = samples.Keys.Where(k => !k.Contains("feed=\"", StringComparison.Ordinal)).Select(k => k.Split('{')[0]).Distinct();
        string[] processWide = ["process_", "dotnet_", "recfeed_transport_", "recfeed_build_info"];
        Assert.All(unlabelled, name => Assert.Contains(processWide, p => name.StartsWith(p, StringComparison.Ordinal)));
        var (code, output) = await SystemTool.RunAsync(SystemTool.Find("promtool", "prometheus"), ["check", "metrics"], stdin: body);
        Assert.True(code == 0 && output.Length == 0, $"promtool check metrics: exit {code}\n{output}");
    }

    [Fact]
    public async Task The_RecFeed_meter_tags_each_feeds_measurements_with_its_name()
    {
        await using var server = await StartAsync(fastLane: false);
        await ListAsync(server, "/feed/home-b/1?size=4");

        var measured = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FeedMeter.Name && ReferenceEquals(instrument.Meter.Scope, server.Statistics))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured[instrument.Name + "{" + string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}")) + "}"] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(1, measured["recfeed.requests{feed=home-b,outcome=served}"]);
        Assert.Equal(0, measured["recfeed.requests{feed=default,outcome=served}"]);
        Assert.Equal(4, measured["recfeed.items.personal{feed=home-b}"]);
        Assert.Equal(Users, measured["recfeed.users.loaded{feed=video}"]);
    }

    private static async Task<uint[]> ListAsync(InProcessServer server, string target) =>
        TwoDatasets.Parse(await server.Client.GetStringAsync(target));
}
