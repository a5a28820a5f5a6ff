using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Scripts;

/// <summary>
/// Every script the README and docs tell a user to run, run as a user would (from the repository, with the published
/// binary), on small data and short durations, so a script that rots fails CI. bench/load.sh and bench/micro.sh
/// have their own smoke tests next to the load bench's.
/// </summary>
public sealed class ShippedScriptTests : TempDirectoryTest
{
    private const int SIGTERM = RecFeedProcess.SIGTERM;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    /// <summary>SKIP_PUBLISH: the suite already published artifacts/recfeed, the binary every script runs.</summary>
    private static Dictionary<string, string> Environment(params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string> { ["SKIP_PUBLISH"] = "1" };
        foreach (var (name, value) in extra)
            environment[name] = value;
        return environment;
    }

    [Fact]
    public async Task Run_shards_routes_each_user_to_its_shard_and_stops_everything_on_SIGTERM()
    {
        int router = FreePort.Next(), shard0 = FreePort.Next(), shard1 = FreePort.Next(), stats = FreePort.Next();
        var data = Dir.File("shards");
        using var script = ScriptProcess.Start("deploy/run-shards.sh", Environment(
            ("DATA_DIR", data), ("ROUTER_PORT", $"{router}"), ("SHARD0_PORT", $"{shard0}"), ("SHARD1_PORT", $"{shard1}"), ("STATS_PORT", $"{stats}")), "2000");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{router}"), Timeout = TimeSpan.FromSeconds(10) };

        // User 42 lives on shard 0 (42 mod 2), user 43 on shard 1: the router's answer is that shard's stored list.
        var first = await GetWhenUpAsync(client, "/feed/42?size=5", script);
        Assert.Equal(await FirstItemsAsync(Path.Combine(data, "feeds.0-of-2.bin"), 42, 5), first);
        Assert.Equal(await FirstItemsAsync(Path.Combine(data, "feeds.1-of-2.bin"), 43, 5), await client.GetStringAsync("/feed/43?size=5"));
        using (var metrics = await client.GetAsync($"http://127.0.0.1:{stats}/metrics"))
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);

        script.Signal(SIGTERM);
        Assert.Equal(130, await script.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        foreach (var port in new[] { router, shard0, shard1, stats })
            Assert.False(Accepts(port), $"port {port} still accepts after the script stopped:\n{script.Output}");
    }

    [Fact]
    public async Task Shards_bench_measures_direct_and_both_routed_setups()
    {
        var basePort = FreePort.Block(4);
        using var script = ScriptProcess.Start("bench/shards.sh", Environment(
            ("DURATION", "1s"), ("CONNECTIONS", "8"), ("BASE_PORT", $"{basePort}")), "2000");
        Assert.True(await script.WaitForExitAsync(ScriptTimeout) == 0, script.Output);

        foreach (var setup in new[] { "direct", "routed-1", "routed-2" })
        {
            var row = script.Output.Split('\n').Single(l => l.StartsWith(setup + " ", StringComparison.Ordinal));
            var rps = double.Parse(row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            Assert.True(rps > 0, $"no requests/s for {setup}:\n{script.Output}");
        }
    }

    [Theory]
    [InlineData("full", "2", "| 2000 x 20, format 2 |")]
    [InlineData("varied", "1", "| 2000 x 1..20, format 1 |")]
    public async Task Import_bench_imports_a_generated_parquet_file_and_prints_its_table_row(string lengths, string format, string row)
    {
        using var script = ScriptProcess.Start("bench/import.sh", Environment(("USERS", "2000"), ("ITEMS", "20"), ("ROWS_PER_GROUP", "500"),
            ("LENGTHS", lengths), ("FORMAT_VERSION", format)));
        Assert.True(await script.WaitForExitAsync(ScriptTimeout) == 0, script.Output);

        Assert.Contains(row, script.Output);
        var imported = Path.Combine(RepoPaths.Root, "artifacts", "bench-import", "feeds.bin");
        var (code, header, stderr) = await RecFeedProcess.RunAsync("inspect", imported, "--verify");
        Assert.True(code == 0, stderr);
        Assert.Matches(@"users\s+2000\b", header);
        Assert.Matches(@"items per user\s+20\b", header);
        Assert.Matches($@"format version\s+{format}\b", header);
    }

    private static async Task<string> GetWhenUpAsync(HttpClient client, string path, ScriptProcess script)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(path);
                if (response.StatusCode == HttpStatusCode.OK)
                    return await response.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException)
            {
            }
            if (script.HasExited || clock.Elapsed > ScriptTimeout)
                Assert.Fail($"the router never answered {path} (script ended: {script.HasExited}); its output:\n{script.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>The first <paramref name="count"/> stored items of a user, as <c>recfeed inspect --user</c> prints them.</summary>
    private static async Task<string> FirstItemsAsync(string file, uint user, int count)
    {
        var (code, stdout, stderr) = await RecFeedProcess.RunAsync("inspect", file, "--user", $"{user}");
        Assert.True(code == 0, stderr);
        return "[" + string.Join(',', stdout.Trim().Trim('[', ']').Split(',').Take(count)) + "]";
    }

    private static bool Accepts(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
