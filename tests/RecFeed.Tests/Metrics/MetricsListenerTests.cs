using System.Net;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Http.Lifecycle;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Metrics;

/// <summary><c>serve --metrics public|admin</c>: which listener answers <c>GET /metrics</c>, and the other does not.</summary>
public sealed class MetricsListenerTests : TempDirectoryTest
{
    private readonly CapturedLog _log = new();
    private readonly string _data;

    public MetricsListenerTests()
    {
        _data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(_data, 100);
    }

    protected override void DisposeFiles() => _log.Dispose();

    [Theory]
    [InlineData(MetricsListener.Public, HttpStatusCode.OK, HttpStatusCode.NotFound)]
    [InlineData(MetricsListener.Admin, HttpStatusCode.NotFound, HttpStatusCode.OK)]
    public async Task Metrics_are_answered_on_the_chosen_listener_only(MetricsListener metrics, HttpStatusCode onPublic, HttpStatusCode onAdmin)
    {
        var options = new ServeOptions
        {
            Data = _data, Urls = ["http://127.0.0.1:0"], AdminUrls = ["http://127.0.0.1:0"], DrainTime = TimeSpan.Zero,
            Transport = TestTransport.Settings, Metrics = metrics,
        };
        await using var serve = new ServeLifecycle(options, _log.Factory, TextWriter.Null);
        Assert.Null(await serve.StartAsync(CancellationToken.None));
        using var client = new HttpClient();

        var publicAnswer = await client.GetAsync(new Uri(new Uri(serve.Addresses[0]), "/metrics"));
        var adminAnswer = await client.GetAsync(new Uri(new Uri(serve.AdminAddresses[0]), "/metrics"));

        Assert.Equal(onPublic, publicAnswer.StatusCode);
        Assert.Equal(onAdmin, adminAnswer.StatusCode);
        var served = publicAnswer.IsSuccessStatusCode ? publicAnswer : adminAnswer;
        Assert.Contains("\nprocess_open_fds ", await served.Content.ReadAsStringAsync());
        await serve.StopAsync();
    }

    [Fact]
    public async Task Metrics_on_the_admin_listener_without_one_is_a_one_line_usage_error()
    {
        var (code, _, stderr) = await RecFeedProcess.RunAsync("serve", "--data", _data, "--metrics", "admin");

        Assert.Equal(1, code);
        Assert.Equal("--metrics admin needs an admin listener: set --admin-urls (or RECFEED_ADMIN_URLS).",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
