using System.Globalization;
using RecFeed.Tests.Support;
using Xunit.Abstractions;

namespace RecFeed.Tests.Metrics;

/// <summary>
/// /metrics of the published binary, judged by Prometheus's own tools rather than by our reading of the format:
/// promtool's linter, and a real Prometheus scraping every second and answering PromQL.
/// </summary>
public sealed class PrometheusScrapeTests(ITestOutputHelper output)
{
    private const int Served = 300;
    private const int BadRequests = 10;

    [Fact]
    public async Task Promtool_finds_no_problem_in_a_live_metrics_body()
    {
        var promtool = SystemTool.Find("promtool", "prometheus");
        using var dir = new TempDirectory();
        var data = dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, 1000, itemsPerUser: 20);
        await using var serve = await ServeProcess.StartAsync(data, "--state", dir.File("feeds.state"));
        await SendTrafficAsync(serve.Client);

        var body = await serve.Client.GetStringAsync("/metrics");
        var (code, output) = await SystemTool.RunAsync(promtool, ["check", "metrics"], stdin: body);
        Assert.True(code == 0 && output.Length == 0, $"promtool check metrics: exit {code}\n{output}\nbody:\n{body}");
        Assert.Contains("recfeed_request_duration_seconds_bucket{outcome=\"served\",le=\"+Inf\"} " + Served + "\n", body);
    }

    [Fact]
    public async Task A_real_Prometheus_gets_the_request_rate_the_p99_and_the_dataset_from_recfeed()
    {
        using var dir = new TempDirectory();
        var data = dir.File("feeds.bin");
        var header = TestFeeds.WriteRandom(data, 1000, itemsPerUser: 20);
        await using var serve = await ServeProcess.StartAsync(data, "--state", dir.File("feeds.state"));
        await using var prometheus = await PrometheusServer.StartAsync(dir.Path, serve.Address);
        var patience = TimeSpan.FromSeconds(90);

        // A first scrape with the counters at 0, so rate() below sees the whole increase from zero.
        const string served = "recfeed_requests_total{outcome=\"served\"}";
        await prometheus.WaitForAsync(served, r => r.Length == 1 && PrometheusServer.Value(r[0]) == 0, patience);
        await SendTrafficAsync(serve.Client);
        await prometheus.WaitForAsync("sum(recfeed_requests_total)", r => r.Length == 1 && PrometheusServer.Value(r[0]) == Served + BadRequests, patience);

        // Evaluated at the newest sample, rate() over a window holding every sample since the zero is exact: no
        // extrapolation at either end (the zero sample is the counter's start, the newest sample is the window's end).
        var at = PrometheusServer.Value((await prometheus.QueryAsync($"timestamp({served})"))[0]);
        const double window = 300;
        var rate = await prometheus.QueryAsync($"rate({served}[5m])", at);
        Assert.Equal(Served / window, PrometheusServer.Value(Assert.Single(rate)), 9);
        var all = await prometheus.QueryAsync("sum(rate(recfeed_requests_total[5m]))", at);
        Assert.Equal((Served + BadRequests) / window, PrometheusServer.Value(Assert.Single(all)), 9);

        // histogram_quantile over Prometheus's rates lands where recfeed's own buckets put the 99th percentile.
        var buckets = MetricsText.DurationBuckets(await serve.Client.GetStringAsync("/metrics"), "served");
        Assert.Equal(Served, buckets[^1].Cumulative);
        var (lower, upper, interpolated) = MetricsText.Quantile(0.99, buckets);
        var p99 = PrometheusServer.Value(Assert.Single(await prometheus.QueryAsync(
            "histogram_quantile(0.99, rate(recfeed_request_duration_seconds_bucket{outcome=\"served\"}[5m]))", at)));
        Assert.InRange(p99, lower, upper);
        Assert.Equal(interpolated, p99, 9);
        Assert.InRange(p99, 0, 1);

        output.WriteLine($"at {at.ToString("R", CultureInfo.InvariantCulture)}: rate({served}[5m]) = {PrometheusServer.Value(rate[0])} " +
            $"(sent {Served}: {Served / window}); sum(rate(recfeed_requests_total[5m])) = {PrometheusServer.Value(all[0])}; " +
            $"histogram_quantile(0.99, ...served...) = {p99} (bucket {lower}..{upper}, expected {interpolated})");

        var info = Assert.Single(await prometheus.QueryAsync("recfeed_dataset_info"));
        output.WriteLine("recfeed_dataset_info: " + info.GetRawText());
        Assert.Equal(1, PrometheusServer.Value(info));
        Assert.Equal(header.DatasetId.ToString("x16", CultureInfo.InvariantCulture), PrometheusServer.Label(info, "dataset_id"));
        Assert.Equal("0/1", PrometheusServer.Label(info, "shard"));
        Assert.Equal(data, PrometheusServer.Label(info, "file"));
        Assert.Equal("recfeed", PrometheusServer.Label(info, "job"));
        Assert.Equal(1000, PrometheusServer.Value(Assert.Single(await prometheus.QueryAsync("recfeed_users_loaded"))));
        Assert.Equal(1, PrometheusServer.Value(Assert.Single(await prometheus.QueryAsync("up{job=\"recfeed\"}"))));
    }

    /// <summary><see cref="Served"/> feeds for known users, then <see cref="BadRequests"/> malformed ones.</summary>
    private static async Task SendTrafficAsync(HttpClient client)
    {
        for (var user = 0; user < Served; user++)
            using (var response = await client.GetAsync($"/feed/{user}?size=5"))
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        for (var i = 0; i < BadRequests; i++)
            using (var response = await client.GetAsync($"/feed/not-a-user-{i}"))
                Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
