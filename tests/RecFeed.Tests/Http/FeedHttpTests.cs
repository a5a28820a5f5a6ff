using System.Net;
using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Http;

/// <summary>The HTTP contract against the real Kestrel server on a loopback port, once per feeds format version.</summary>
public abstract class FeedHttpTests(uint version) : IAsyncLifetime
{
    private const int ItemsPerUser = 20;
    private readonly TempDirectory _dir = new();
    private InProcessServer _server = null!;
    private FeedSlab _reference = null!;

    public async Task InitializeAsync()
    {
        var path = _dir.File("feeds.bin");
        TestFeeds.WriteRandom(path, 1000, itemsPerUser: ItemsPerUser, fallback: 30, version: version);
        _reference = FeedSlab.Load(path);
        _server = await InProcessServer.StartAsync(path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _reference.Dispose();
        _dir.Dispose();
    }

    private Uri Address => _server.Address;

    private uint[] Row(uint user) => _reference.Row(user).ToArray();

    private static uint[] ParseBody(string body) =>
        body is "[]" ? [] : [.. body.Trim('[', ']').Split(',').Select(uint.Parse)];

    [Fact]
    public async Task A_feed_is_the_users_next_items_as_exact_json_bytes()
    {
        var raw = await RawHttp.GetAsync(Address, "/feed/5?size=3");
        var row = Row(5);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", raw);
        Assert.Contains("\r\nContent-Type: application/json\r\n", raw);
        var body = $"[{row[0]},{row[1]},{row[2]}]";
        Assert.Contains($"\r\nContent-Length: {body.Length}\r\n", raw);
        Assert.DoesNotContain("Server:", raw);
        Assert.Equal(body, RawHttp.Body(raw));
    }

    [Fact]
    public async Task Consecutive_requests_continue_where_the_last_stopped_and_default_to_ten()
    {
        var row = Row(7);
        Assert.Equal(row[..10], ParseBody(await _server.Client.GetStringAsync("/feed/7")));
        Assert.Equal(row[10..15], ParseBody(await _server.Client.GetStringAsync("/feed/7?size=5")));
        Assert.Equal(row[15..20], ParseBody(await _server.Client.GetStringAsync("/feed/7?size=5")));
    }

    [Fact]
    public async Task An_exhausted_user_gets_a_full_feed_of_fallback_items_without_repeats()
    {
        var row = Row(9);
        Assert.Equal(row, ParseBody(await _server.Client.GetStringAsync($"/feed/9?size={ItemsPerUser}")));
        var mixed = ParseBody(await _server.Client.GetStringAsync("/feed/9?size=20"));
        Assert.Equal(20, mixed.Length);
        Assert.Equal(20, mixed.Distinct().Count());
        Assert.All(mixed, id => Assert.Contains(id, _reference.Fallback.ToArray()));
        Assert.Equal(1, _server.Statistics.Feed[FeedCounter.ExhaustedUsers]);
    }

    [Fact]
    public async Task An_unknown_user_gets_fallback_only_with_200_and_is_counted()
    {
        var response = await _server.Client.GetAsync("/feed/4294967295?size=4");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = ParseBody(await response.Content.ReadAsStringAsync());
        Assert.Equal(4, items.Distinct().Count());
        Assert.All(items, id => Assert.Contains(id, _reference.Fallback.ToArray()));
        Assert.Equal(1, _server.Statistics.Requests.Requests(FeedOutcome.UnknownUser));
    }

    [Theory]
    [InlineData("/feed/abc")]
    [InlineData("/feed/-1")]
    [InlineData("/feed/+1")]
    [InlineData("/feed/1.0")]
    [InlineData("/feed/4294967296")]
    [InlineData("/feed/12345678901")]
    [InlineData("/feed/%201")]
    [InlineData("/feed/0x1")]
    [InlineData("/feed/")]
    [InlineData("/feed")]
    public async Task A_bad_user_id_is_400_with_a_one_line_reason(string target)
    {
        var raw = await RawHttp.GetAsync(Address, target);
        Assert.Equal(400, RawHttp.Status(raw));
        Assert.Contains("\r\nContent-Type: text/plain; charset=utf-8\r\n", raw);
        Assert.Equal("invalid user id: expected decimal digits, 0..4294967295\n", RawHttp.Body(raw));
    }

    [Theory]
    [InlineData("?size=0")]
    [InlineData("?size=21")]
    [InlineData("?size=")]
    [InlineData("?size")]
    [InlineData("?size=-3")]
    [InlineData("?size=abc")]
    [InlineData("?size=2&size=3")]
    [InlineData("?size=99999999999")]
    public async Task A_bad_size_is_400_with_a_one_line_reason(string query)
    {
        var raw = await RawHttp.GetAsync(Address, "/feed/1" + query);
        Assert.Equal(400, RawHttp.Status(raw));
        Assert.Equal("invalid size: expected one integer, 1..20\n", RawHttp.Body(raw));
    }

    [Fact]
    public async Task Bad_requests_do_not_move_the_users_position_and_are_counted()
    {
        var before = _server.Statistics.Requests.Requests(FeedOutcome.BadRequest);
        await RawHttp.GetAsync(Address, "/feed/11?size=0");
        Assert.Equal(Row(11)[..2], ParseBody(await _server.Client.GetStringAsync("/feed/11?size=2")));
        Assert.Equal(before + 1, _server.Statistics.Requests.Requests(FeedOutcome.BadRequest));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/feeds/1")]
    [InlineData("/feed/1/2")]
    [InlineData("/healthz/x")]
    public async Task Unknown_paths_are_404(string target) => Assert.Equal(404, RawHttp.Status(await RawHttp.GetAsync(Address, target)));

    [Theory]
    [InlineData("POST", "/feed/1")]
    [InlineData("PUT", "/feed/1")]
    [InlineData("DELETE", "/healthz")]
    public async Task Wrong_methods_are_405(string method, string target)
    {
        var raw = await RawHttp.SendAsync(Address, $"{method} {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        Assert.Equal(405, RawHttp.Status(raw));
    }

    [Fact]
    public async Task Healthz_says_ok()
    {
        var raw = await RawHttp.GetAsync(Address, "/healthz");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", raw);
        Assert.Equal("ok shard 0/1\n", RawHttp.Body(raw));
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_and_move_with_traffic()
    {
        await _server.Client.GetStringAsync("/feed/20?size=20");
        await _server.Client.GetStringAsync("/feed/20?size=5");
        await _server.Client.GetStringAsync("/feed/5000?size=2");
        await RawHttp.GetAsync(Address, "/feed/x");

        var response = await _server.Client.GetAsync("/metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n", text);
        var samples = MetricsText.Samples(text);
        Assert.Equal(2, samples["recfeed_requests_total{outcome=\"served\"}"]);
        Assert.Equal(1, samples["recfeed_requests_total{outcome=\"unknown_user\"}"]);
        Assert.Equal(1, samples["recfeed_unknown_user_requests_total"]);
        Assert.Equal(1, samples["recfeed_bad_requests_total"]);
        Assert.Equal(20, samples["recfeed_personal_items_total"]);
        Assert.Equal(7, samples["recfeed_fallback_items_total"]);
        Assert.Equal(1, samples["recfeed_exhausted_users_total"]);
        Assert.Equal(1000, samples["recfeed_users_loaded"]);
        Assert.Equal((long)_reference.Bytes, samples["recfeed_slab_bytes"]);
        Assert.Contains("# TYPE recfeed_requests_total counter\n", text);
        Assert.Contains("# TYPE recfeed_users_loaded gauge\n", text);
    }

    [Fact]
    public async Task Sixty_four_clients_racing_on_one_user_see_every_personal_item_exactly_once()
    {
        const uint user = 33;
        var personal = new System.Collections.Concurrent.ConcurrentBag<uint>();
        var row = Row(user);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64 };
        using var client = new HttpClient(handler) { BaseAddress = Address };
        var clients = Enumerable.Range(0, 64).Select(async _ =>
        {
            // Each client reads one item at a time until a response holds no personal item.
            while (true)
            {
                var items = ParseBody(await client.GetStringAsync($"/feed/{user}?size=1"));
                if (!row.Contains(items[0]))
                    return;
                personal.Add(items[0]);
            }
        });
        await Task.WhenAll(clients);
        Assert.Equal(row.Order().ToArray(), personal.Order().ToArray());
    }
}

public sealed class FeedHttpV1Tests() : FeedHttpTests(RecFeed.Format.FeedFileHeader.Version1);

public sealed class FeedHttpV2Tests() : FeedHttpTests(RecFeed.Format.FeedFileHeader.Version2);
