using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using RecFeed.Synthetic;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sharding;

/// <summary><see cref="RouterEndToEndTests"/>, continued (one file would pass the 250-line limit).</summary>
public sealed partial class RouterEndToEndTests
{
    [Fact]
    public async Task One_shard_with_two_replicas_pins_each_user_to_one_replica()
    {
        var file = Generate(1)[0];
        // Each replica keeps its own state file: a second process on one state file is refused.
        var (replicaA, replicaB) = (await StartShardAsync(file, "--state", file + ".a.state"), await StartShardAsync(file, "--state", file + ".b.state"));
        var router = await StartRouterAsync(1, replicaA, replicaB);

        // Two replicas each keep their own read positions: only pinning makes every feed come back whole and in order.
        for (var user = 0u; user < Users; user++)
            await AssertWholeFeedAsync(router.Client, user);

        var (servedA, _) = await OutcomesAsync(replicaA);
        var (servedB, _) = await OutcomesAsync(replicaB);
        Assert.Equal(Users * 3, servedA + servedB);
        Assert.True(servedA > Users / 2 && servedB > Users / 2, $"users are spread over both replicas: {servedA} and {servedB} requests");

        // Losing a replica keeps the shard available: its users move to the other one.
        replicaB.Kill();
        for (var user = 0u; user < 40; user++)
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(router.Client, user)).Status);
    }

    private string[] Generate(uint shards)
    {
        var args = new List<string>
        {
            "generate", "--users", $"{Users}", "--items-per-user", $"{Items}", "--fallback-size", $"{FallbackSize}",
            "--seed", $"{Seed}", "--max-item-id", $"{MaxItemId}", "--shards", $"{shards}", "--out", Dir.File("feeds.bin"),
        };
        RunBinary(args);
        return shards == 1 ? [Dir.File("feeds.bin")] : [.. Enumerable.Range(0, (int)shards).Select(k => Dir.File($"feeds.{k}-of-{shards}.bin"))];
    }

    /// <summary>The router in front of the given processes, with <paramref name="shards"/> shards assigned in turn.</summary>
    private async Task<RouterProcess> StartRouterAsync(uint shards, params ServeProcess[] backends)
    {
        var routerPort = FreePort.Next();
        _routerStats = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var args = new List<string>
        {
            "haproxy-config", "--shards", $"{shards}", "--bind", $"127.0.0.1:{routerPort}", "--stats", $"127.0.0.1:{_routerStats.Port}",
        };
        foreach (var backend in backends)
            args.AddRange(["--backend", $"127.0.0.1:{backend.Address.Port}"]);
        var config = Dir.File("router.cfg");
        File.WriteAllText(config, RunBinary(args));
        var router = await RouterProcess.StartAsync(config, routerPort);
        _routers.Add(router);
        return router;
    }

    private Task<ServeProcess> StartShardAsync(string file, params string[] args) => StartShardAsync(file, 0, args);

    private async Task<ServeProcess> StartShardAsync(string file, int port, params string[] args)
    {
        var shard = await ServeProcess.StartOnPortAsync(file, port, args);
        _shards.Add(shard);
        return shard;
    }

    private async Task AssertWholeFeedAsync(HttpClient client, uint user)
    {
        var first = await GetAsync(client, user);
        var second = await GetAsync(client, user);
        Assert.True(first.Status == HttpStatusCode.OK && second.Status == HttpStatusCode.OK,
            $"user {user}: {first.Status} {first.Body} / {second.Status} {second.Body}");
        Assert.Equal(Row(user), Parse(first.Body).Concat(Parse(second.Body)).ToArray());
        // Personal feed used up: only fallback items from now on.
        var after = Parse((await GetAsync(client, user)).Body);
        Assert.Equal(Page, after.Length);
        Assert.All(after, item => Assert.Contains(item, _fallback));
    }

    private uint[] Row(uint user)
    {
        var row = new uint[Items];
        _expected.WriteRow(user, row);
        return row;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, uint user)
    {
        using var response = await client.GetAsync($"/feed/{user}?size={Page}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Asks for the user's feed every 100 ms while <paramref name="waiting"/> holds for the status. The health checks
    /// turn within a few seconds; the minute is only a hang guard.
    /// </summary>
    private static async Task<(HttpStatusCode Status, string Body)> PollWhileAsync(HttpClient client, uint user,
        Func<HttpStatusCode, bool> waiting, string situation)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var answer = await GetAsync(client, user);
            if (!waiting(answer.Status))
                return answer;
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"user {user} still gets {answer.Status} {waited.Elapsed.TotalSeconds:F1} s {situation}");
            await Task.Delay(100);
        }
    }

    /// <summary>One server's row of the router's <c>/stats;csv</c> (HAProxy's counters), by column name.</summary>
    private async Task<Dictionary<string, string>> ServerStatsAsync(string server)
    {
        using var client = new HttpClient { BaseAddress = _routerStats };
        var lines = (await client.GetStringAsync("stats;csv")).Split('\n');
        var columns = lines[0].TrimStart('#', ' ').Split(',');
        var row = lines.Select(l => l.Split(',')).Single(r => r.Length > 1 && r[1] == server);
        return columns.Zip(row).ToDictionary(c => c.First, c => c.Second);
    }

    private static uint[] Parse(string body) => JsonSerializer.Deserialize<uint[]>(body)!;

    /// <summary>Requests the shard answered for known users, and 421s, from its own /metrics.</summary>
    private static async Task<(int Served, int Misdirected)> OutcomesAsync(ServeProcess shard)
    {
        var metrics = await shard.Client.GetStringAsync("/metrics");
        int Sample(string name) =>
            int.Parse(metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);
        return (Sample("recfeed_requests_total{outcome=\"served\"}"), Sample("recfeed_requests_total{outcome=\"misdirected\"}"));
    }

    private static string RunBinary(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(RepoPaths.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"recfeed {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
