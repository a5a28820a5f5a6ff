using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.State;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Metrics;

/// <summary>/metrics of the real Kestrel server in this process: the families, their grouping, and that they follow what happened.</summary>
public sealed class MetricsExpositionTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private InProcessServer _server = null!;
    private string _data = null!;
    private FeedFileHeader _header;

    public async Task InitializeAsync()
    {
        _data = _dir.File("feeds.bin");
        _header = TestFeeds.WriteRandom(_data, 100, itemsPerUser: 20, fallback: 0);
        _server = await InProcessServer.StartAsync(_data);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private Task<string> MetricsAsync() => _server.Client.GetStringAsync("/metrics");

    [Fact]
    public async Task The_duration_histogram_counts_every_request_by_outcome_and_agrees_with_the_request_counters()
    {
        for (var user = 0; user < 30; user++)
            await _server.Client.GetAsync($"/feed/{user}?size=5");
        await _server.Client.GetAsync("/feed/12345");   // unknown user, no fallback: 503 unavailable
        await _server.Client.GetAsync("/feed/abc");     // 400
        await _server.Client.GetAsync("/feed");         // 400 through routing
        await _server.Client.GetAsync("/feed/1?size=0"); // 400

        var text = await MetricsAsync();
        var samples = MetricsText.Samples(text);
        (string Outcome, double Count)[] expected = [("served", 30), ("unknown_user", 0), ("misdirected", 0), ("unavailable", 1), ("bad_request", 3)];
        foreach (var (outcome, count) in expected)
        {
            var buckets = MetricsText.DurationBuckets(text, outcome);
            Assert.Equal(RequestDurations.Buckets, buckets.Length);
            Assert.Equal(double.PositiveInfinity, buckets[^1].UpperBound);
            Assert.Equal(buckets.Select(b => b.Cumulative).Order(), buckets.Select(b => b.Cumulative));
            Assert.Equal(count, buckets[^1].Cumulative);
            Assert.Equal(count, samples[$"recfeed_request_duration_seconds_count{{outcome=\"{outcome}\"}}"]);
            Assert.Equal(count, samples[$"recfeed_requests_total{{outcome=\"{outcome}\"}}"]);
            var sum = samples[$"recfeed_request_duration_seconds_sum{{outcome=\"{outcome}\"}}"];
            Assert.True(count == 0 ? sum == 0 : sum > 0, $"{outcome}: sum {sum} for {count} requests");
        }
    }

    [Fact]
    public async Task Each_family_has_one_HELP_and_TYPE_and_its_samples_follow_it_together()
    {
        await _server.Client.GetAsync("/feed/1");
        var text = await MetricsAsync();
        Assert.EndsWith("\n", text);
        var seen = new HashSet<string>();
        string? current = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
                continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                current = line.Split(' ')[2];
                Assert.True(seen.Add(current), $"TYPE {current} twice");
                Assert.Contains($"# HELP {current} ", text);
                continue;
            }
            var name = line[..line.IndexOfAny(['{', ' '])];
            var inFamily = name == current || name.StartsWith(current + "_", StringComparison.Ordinal) && text.Contains($"# TYPE {current} histogram");
            Assert.True(current != null && inFamily, $"sample {line} outside its family (current family: {current})");
        }
        string[] families =
        [
            "recfeed_build_info", "recfeed_requests_total", "recfeed_request_duration_seconds", "recfeed_dataset_info",
            "recfeed_dataset_loaded_timestamp_seconds", "recfeed_users_loaded", "recfeed_items_per_user",
            "recfeed_reload_attempts_total", "recfeed_reloads_total", "recfeed_reload_last_success_timestamp_seconds",
            "recfeed_reload_last_failure_timestamp_seconds", "recfeed_reload_last_duration_seconds",
            "recfeed_snapshots_total", "recfeed_snapshot_failures_total", "recfeed_snapshot_written_bytes_total",
            "recfeed_snapshot_last_success_timestamp_seconds", "recfeed_snapshot_last_duration_seconds", "recfeed_snapshot_interval_seconds",
            "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds",
            "dotnet_gc_collections_total", "dotnet_gc_allocated_bytes_total", "dotnet_gc_heap_size_bytes", "dotnet_threadpool_threads",
        ];
        Assert.All(families, f => Assert.Contains(f, seen));
    }

    [Fact]
    public async Task What_is_served_is_described_by_dataset_info_and_build_info()
    {
        var text = await MetricsAsync();
        var samples = MetricsText.Samples(text);
        Assert.Equal(1, samples[$"recfeed_dataset_info{{dataset_id=\"{_header.DatasetId:x16}\",shard=\"0/1\",file=\"{_data}\"}}"]);
        Assert.Equal(100, samples["recfeed_users_loaded"]);
        Assert.Equal(20, samples["recfeed_items_per_user"]);
        var loadedAt = samples["recfeed_dataset_loaded_timestamp_seconds"];
        Assert.InRange(loadedAt, samples["process_start_time_seconds"], DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Matches("\nrecfeed_build_info\\{version=\"[^\"]+\"\\} 1\n", text);
        Assert.True(samples["process_resident_memory_bytes"] > 0);
        Assert.True(samples["process_open_fds"] > 0 && samples["process_open_fds"] <= samples["process_max_fds"]);
    }

    [Fact]
    public async Task Reloads_are_counted_by_result_with_their_times()
    {
        var service = _server.Service;
        var other = _dir.File("other.bin");
        TestFeeds.WriteRandom(other, 50, itemsPerUser: 10, seed: 99);
        using var reloader = new FeedReloader(service, other, _server.Statistics.Reloads);
        Assert.Equal(ReloadOutcome.Accepted, (await reloader.ReloadAsync()).Outcome);
        await File.WriteAllTextAsync(other, "not a feeds file");
        Assert.Equal(ReloadOutcome.Rejected, (await reloader.ReloadAsync()).Outcome);

        var samples = MetricsText.Samples(await MetricsAsync());
        Assert.Equal(2, samples["recfeed_reload_attempts_total"]);
        Assert.Equal(1, samples["recfeed_reloads_total{result=\"accepted\"}"]);
        Assert.Equal(1, samples["recfeed_reloads_total{result=\"rejected\"}"]);
        Assert.Equal(0, samples["recfeed_reloads_total{result=\"skipped\"}"]);
        Assert.Equal(0, samples["recfeed_reloads_total{result=\"failed\"}"]);
        Assert.True(samples["recfeed_reload_last_success_timestamp_seconds"] > 0);
        Assert.True(samples["recfeed_reload_last_failure_timestamp_seconds"] >= samples["recfeed_reload_last_success_timestamp_seconds"]);
        Assert.True(samples["recfeed_reload_last_duration_seconds"] > 0);
        Assert.Equal(50, samples["recfeed_users_loaded"]); // the loaded file is what is described, the rejected one is not
    }

    [Fact]
    public async Task Snapshots_are_counted_with_their_bytes_and_failures()
    {
        var service = _server.Service;
        var before = MetricsText.Samples(await MetricsAsync());
        Assert.True(before["recfeed_snapshot_last_success_timestamp_seconds"] > 0, "at start the state file is current");

        await _server.Client.GetAsync("/feed/3");
        using var keeper = new StateKeeper(service, _dir.File("feeds.bin.state"), _server.Statistics.Snapshots);
        var snapshot = keeper.WriteIfChanged();
        Assert.NotNull(snapshot);
        Assert.Null(keeper.WriteIfChanged()); // nothing moved: no write, but the file is current

        await _server.Client.GetAsync("/feed/4");
        var gone = Directory.CreateDirectory(_dir.File("gone")).FullName;
        using var blocked = new StateKeeper(service, Path.Combine(gone, "feeds.bin.state"), _server.Statistics.Snapshots);
        Directory.Delete(gone, recursive: true); // the folder disappears under the keeper: its next write fails
        Assert.ThrowsAny<IOException>(() => blocked.WriteIfChanged());

        var samples = MetricsText.Samples(await MetricsAsync());
        Assert.Equal(1, samples["recfeed_snapshots_total"]);
        Assert.Equal(1, samples["recfeed_snapshot_failures_total"]);
        Assert.Equal(snapshot.Value.Bytes, samples["recfeed_snapshot_written_bytes_total"]);
        Assert.True(samples["recfeed_snapshot_last_success_timestamp_seconds"] >= before["recfeed_snapshot_last_success_timestamp_seconds"]);
        Assert.True(samples["recfeed_snapshot_last_duration_seconds"] > 0);
    }

    [Fact]
    public async Task The_RecFeed_meter_reads_the_same_counters_for_in_process_listeners()
    {
        for (var user = 0; user < 7; user++)
            await _server.Client.GetAsync($"/feed/{user}?size=2");
        await _server.Client.GetAsync("/feed/abc");

        var measured = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FeedMeter.Name && ReferenceEquals(instrument.Meter.Scope, _server.Statistics))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured[instrument.Name + (tags.Length > 0 ? $"{{{tags[0].Key}={tags[0].Value}}}" : "")] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(7, measured["recfeed.requests{outcome=served}"]);
        Assert.Equal(1, measured["recfeed.requests{outcome=bad_request}"]);
        Assert.Equal(14, measured["recfeed.items.personal"]);
        Assert.Equal(100, measured["recfeed.users.loaded"]);
        Assert.Equal(0, measured["recfeed.reloads{result=rejected}"]);
    }
}
