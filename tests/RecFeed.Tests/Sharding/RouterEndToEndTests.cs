using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using RecFeed.Synthetic;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sharding;

/// <summary>
/// The published binary's shards behind a real HAProxy on loopback, configured by the binary's own
/// <c>haproxy-config</c>: routing, pinning to replicas, and what users see when a shard dies and comes back.
/// </summary>
public sealed partial class RouterEndToEndTests : TempDirectoryTest
{
    private const int Users = 300;
    private const int Items = 20;
    private const int FallbackSize = 12;
    private const ulong Seed = 5;
    private const uint MaxItemId = 100_000;
    private const int Page = 10;

    private readonly RandomFeedSource _expected = new(Seed, MaxItemId, Items);
    private readonly HashSet<uint> _fallback;
    /// <summary>Every process a test starts, stopped when it ends, whatever it asserted.</summary>
    private readonly List<IDisposable> _routers = [];
    private readonly List<ServeProcess> _shards = [];
    private Uri _routerStats = null!;

    public RouterEndToEndTests()
    {
        var fallback = new uint[FallbackSize];
        _expected.WriteFallback(fallback);
        _fallback = [.. fallback];
    }

    protected override void DisposeFiles()
    {
        foreach (var router in _routers)
            router.Dispose();
        foreach (var shard in _shards)
            shard.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Two_shards_serve_every_users_whole_feed_in_order_through_the_router()
    {
        var files = Generate(2);
        var (shard0, shard1) = (await StartShardAsync(files[0]), await StartShardAsync(files[1]));
        var router = await StartRouterAsync(2, shard0, shard1);

        for (var user = 0u; user < Users; user++)
            await AssertWholeFeedAsync(router.Client, user);

        // Straight to the wrong shard: refused, visibly.
        using var misdirected = await shard0.Client.GetAsync("/feed/1");
        Assert.Equal(HttpStatusCode.MisdirectedRequest, misdirected.StatusCode);
        Assert.Equal("user belongs to another shard: route it by userId mod shard count\n", await misdirected.Content.ReadAsStringAsync());
        // The router sent nobody astray: each shard served exactly its half (3 requests per user), one 421 in all.
        Assert.Equal((Users / 2 * 3, 1), await OutcomesAsync(shard0));
        Assert.Equal((Users / 2 * 3, 0), await OutcomesAsync(shard1));

        using var metrics = await router.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        Assert.Contains("scrape /metrics on each shard", await metrics.Content.ReadAsStringAsync());
        using var invalid = await router.Client.GetAsync("/feed/-3");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task A_named_feed_is_routed_by_its_user_id_and_passes_the_health_check()
    {
        var files = Generate(2);
        // Each shard's file again under the name "video" (a copy: its own state file), so the expected rows are known.
        var shards = new List<ServeProcess>();
        foreach (var file in files)
        {
            var video = file.Replace("feeds.", "video.", StringComparison.Ordinal);
            File.Copy(file, video);
            shards.Add(await StartShardAsync(file, "--feed", $"video={video}"));
        }
        // Only healthy backends get traffic: "ok shard k/2 feeds default video" must pass the check.
        var router = await StartRouterAsync(2, [.. shards]);

        for (var user = 0u; user < 40; user++)
        {
            var pages = new List<uint>();
            for (var page = 0; page < 2; page++)
            {
                using var response = await router.Client.GetAsync($"/feed/video/{user}?size={Page}");
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"user {user}: {response.StatusCode}");
                pages.AddRange(Parse(await response.Content.ReadAsStringAsync()));
            }
            Assert.Equal(Row(user), pages);
        }
        foreach (var shard in shards)
        {
            var samples = MetricsText.Samples(await shard.Client.GetStringAsync("/metrics"));
            Assert.Equal(40, samples["recfeed_requests_total{feed=\"video\",outcome=\"served\"}"]);
            Assert.Equal(0, samples["recfeed_requests_total{feed=\"video\",outcome=\"misdirected\"}"]);
        }
    }

    [Fact]
    public async Task Killing_a_shard_fails_only_its_users_fast_with_a_clear_status_until_it_returns()
    {
        var files = Generate(2);
        var shard1 = await StartShardAsync(files[1]);
        var router = await StartRouterAsync(2, await StartShardAsync(files[0]), shard1);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(router.Client, 1)).Status);

        shard1.Kill();
        for (var user = 0u; user < 40; user++)
        {
            var (status, body) = await GetAsync(router.Client, user);
            if (user % 2 == 0)
            {
                Assert.Equal(HttpStatusCode.OK, status);
                continue;
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("shard 1 of 2 unavailable: no healthy replica\n", body);
        }
        // Fast, judged by HAProxy's own counts rather than the clock: the first refused connection marks the shard
        // down (on-error mark-down), so only the first of its 20 users' requests, and that request's one retry, ever
        // tried the dead process; the others were answered 503 without waiting on it.
        var dead = await ServerStatsAsync("shard1-r0");
        Console.WriteLine($"dead shard: {dead["econ"]} connection errors, {dead["wretr"]} retries, status {dead["status"]}");
        Assert.True(int.Parse(dead["econ"], CultureInfo.InvariantCulture) + int.Parse(dead["wretr"], CultureInfo.InvariantCulture) <= 2,
            $"requests kept trying the dead shard: {dead["econ"]} connection errors, {dead["wretr"]} retries");

        await StartShardAsync(files[1], shard1.Address.Port);
        var answer = await PollWhileAsync(router.Client, 1, status => status != HttpStatusCode.OK, "after shard 1 restarted");
        // A fresh process: the users of shard 1 start their feeds again from the first item.
        Assert.Equal(Row(1)[..Page], Parse(answer.Body));
        for (var user = 3u; user < 40; user += 2)
            Assert.Equal(Row(user)[..Page], Parse((await GetAsync(router.Client, user)).Body));
    }

    [Fact]
    public async Task A_process_behind_the_wrong_shards_backend_is_taken_out_by_the_health_check()
    {
        var files = Generate(2);
        // Swapped: the router's shard 0 backend is the process serving shard 1's file, and the other way round.
        var router = await StartRouterAsync(2, await StartShardAsync(files[1]), await StartShardAsync(files[0]));

        // Until the checks catch it, the process itself refuses the foreign users: never someone else's feed.
        var answer = await PollWhileAsync(router.Client, 0, status => status == HttpStatusCode.MisdirectedRequest, "with a swapped backend");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "shard 0 of 2 unavailable: no healthy replica\n"), (answer.Status, answer.Body));
    }
}
