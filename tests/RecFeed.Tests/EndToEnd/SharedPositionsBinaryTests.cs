using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// The published binary with <c>--positions-redis</c>: two replicas of a shard and a real redis-server. A replica
/// killed with SIGKILL leaves its users to the other, which continues where they were instead of from the start.
/// </summary>
public sealed class SharedPositionsBinaryTests : TempDirectoryTest
{
    private const int Users = 100;
    private const int ItemsPerUser = 20;

    private readonly RedisServer _redis = new("e2e");
    private readonly string _data;

    public SharedPositionsBinaryTests()
    {
        _data = Dir.File("feeds.bin");
        TwoDatasets.Write(_data, dataset: 1, Users, ItemsPerUser);
    }

    protected override void DisposeFiles() => _redis.Dispose();

    private static async Task<double> MetricAsync(ServeProcess serve, string name) =>
        double.Parse((await serve.Client.GetStringAsync("/metrics")).Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            [(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_user_of_a_killed_replica_continues_on_the_other_where_they_were()
    {
        var redis = $"redis://127.0.0.1:{_redis.Port}/e2e";
        await using var a = await ServeProcess.StartAsync(_data, "--state", Dir.File("a.state"), "--positions-redis", redis,
            "--positions-sync-seconds", "0.2");
        // B takes the address from the environment, as a systemd EnvironmentFile would give it.
        await using var b = await ServeProcess.StartOnPortAsync(p =>
        {
            p.Environment["RECFEED_POSITIONS_REDIS"] = redis;
            p.Environment["RECFEED_POSITIONS_SYNC_SECONDS"] = "0.2";
        }, _data, 0, "--state", Dir.File("b.state"));
        await a.WaitForLineAsync("positions sync: sharing read positions through " + redis, TimeSpan.FromSeconds(30));
        await b.WaitForLineAsync("positions sync: sharing read positions through " + redis, TimeSpan.FromSeconds(30));

        Assert.Equal([TwoDatasets.Item(1, 7, 0), TwoDatasets.Item(1, 7, 1), TwoDatasets.Item(1, 7, 2), TwoDatasets.Item(1, 7, 3)],
            TwoDatasets.Parse(await a.Client.GetStringAsync("/feed/7?size=4")));
        for (var waited = 0; await MetricAsync(b, "recfeed_positions_sync_users_taken_in_total") < 1; waited++)
        {
            Assert.True(waited < 600, "B did not take in user 7 within 30 s");
            await Task.Delay(50);
        }
        a.Kill();

        Assert.Equal([TwoDatasets.Item(1, 7, 4), TwoDatasets.Item(1, 7, 5)], TwoDatasets.Parse(await b.Client.GetStringAsync("/feed/7?size=2")));
        Assert.Equal(1, await MetricAsync(b, "recfeed_positions_sync_up"));
        var body = await b.Client.GetStringAsync("/metrics");
        var (code, output) = await SystemTool.RunAsync(SystemTool.Find("promtool", "prometheus"), ["check", "metrics"], stdin: body);
        Assert.True(code == 0 && output.Length == 0, $"promtool check metrics: exit {code}\n{output}");
    }

    [Fact]
    public async Task A_bad_redis_address_is_a_one_line_usage_error()
    {
        var (code, _, stderr) = await RecFeedProcess.RunAsync("serve", "--data", _data, "--positions-redis", "http://127.0.0.1:1/x");

        Assert.Equal(1, code);
        Assert.Contains("--positions-redis: 'http://127.0.0.1:1/x' is not a redis://HOST:PORT/KEYPREFIX address.", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
