using System.Net;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sharding;

/// <summary>Shard 1 of 2 over real Kestrel: its own users are served, everyone else's get a visible 421.</summary>
public sealed class MisdirectedRequestTests : IAsyncLifetime
{
    // Global users 1, 3, 5 are local rows 0, 1, 2 of shard 1 of 2.
    private static readonly uint[][] Rows = [[11, 12, 13], [31, 32, 33], [51, 52, 53]];
    private static readonly uint[] Fallback = [900];

    private readonly TempDirectory _dir = new();
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        TestFeeds.WriteLists(_dir.File("feeds.1-of-2.bin"), Rows, Fallback, itemsPerUser: 3, shardIndex: 1, shardCount: 2);
        _server = await InProcessServer.StartAsync(_dir.File("feeds.1-of-2.bin"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_user_of_another_shard_gets_421_with_a_one_line_reason_and_is_counted()
    {
        using var response = await _server.Client.GetAsync("/feed/4?size=2");

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("user belongs to another shard: route it by userId mod shard count\n", await response.Content.ReadAsStringAsync());
        var metrics = await _server.Client.GetStringAsync("/metrics");
        Assert.Contains("\nrecfeed_requests_total{outcome=\"misdirected\"} 1\n", metrics);
        Assert.Contains("\nrecfeed_requests_total{outcome=\"served\"} 0\n", metrics);
        Assert.Contains("\nrecfeed_shard_index 1\n", metrics);
        Assert.Contains("\nrecfeed_shards 2\n", metrics);
    }

    [Fact]
    public async Task The_shards_own_users_get_their_rows_by_global_id()
    {
        Assert.Equal("[31,32]", await _server.Client.GetStringAsync("/feed/3?size=2"));
        Assert.Equal("[33,900]", await _server.Client.GetStringAsync("/feed/3?size=2"));
        Assert.Equal("[51,52,53]", await _server.Client.GetStringAsync("/feed/5?size=3"));
        // Beyond the file but owned by this shard: fallback only, never a 421.
        Assert.Equal("[900]", await _server.Client.GetStringAsync("/feed/7?size=2"));
    }

    [Fact]
    public async Task Healthz_names_the_shard()
    {
        using var response = await _server.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok shard 1/2\n", await response.Content.ReadAsStringAsync());
    }
}
