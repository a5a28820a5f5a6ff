using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using RecFeed.Tests.Support;
using Xunit.Abstractions;

namespace RecFeed.Tests.Sharding;

/// <summary>
/// Restarting a replica behind the real HAProxy, with the config <c>recfeed haproxy-config</c> writes and serve's
/// default drain: SIGTERM turns its /healthz to 503 while it still serves, HAProxy takes it out of rotation, only
/// then does it close. Clients see nothing of it.
/// </summary>
public sealed partial class RollingRestartTests(ITestOutputHelper output) : TempDirectoryTest
{
    private const int Users = 2_000;
    private const int Clients = 4;

    private readonly List<IDisposable> _processes = [];
    private readonly List<ServeProcess> _replicas = [];

    protected override void DisposeFiles()
    {
        foreach (var process in _processes)
            process.Dispose();
        foreach (var replica in _replicas)
            replica.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Restarting_one_of_two_replicas_under_steady_load_fails_no_request()
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, Users, itemsPerUser: 50);
        // Each replica keeps its own read positions, so each has its own state file.
        var a = await StartReplicaAsync(data, "a", port: 0);
        var b = await StartReplicaAsync(data, "b", port: 0);
        var router = await StartRouterAsync(a, b);
        await WaitUntilServingAsync(router.Client, a);
        await WaitUntilServingAsync(router.Client, b);

        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(seed => Task.Run(() => LoadAsync(router.Client, seed, stop.Token))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2));

        a.Signal(ServeProcess.SIGTERM);
        Assert.Equal(0, await a.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var restarted = await StartReplicaAsync(data, "a", a.Address.Port);
        // Back in rotation: HAProxy sends the restarted replica its users again while the load runs.
        await WaitForServedAsync(restarted);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        var results = await Task.WhenAll(load);

        var sent = results.Sum(r => r.Sent);
        var failed = results.SelectMany(r => r.Failures).ToList();
        output.WriteLine($"rolling restart: {sent} requests sent through the router by {Clients} clients, {failed.Count} failed");
        Assert.True(failed.Count == 0, $"{failed.Count} of {sent} requests failed, e.g. {string.Join(" | ", failed.Take(5))}\nrouter:\n{router}");
        Assert.True(sent > 0);
        Assert.Contains("stopping: draining", a.Output);
    }

    private async Task<ServeProcess> StartReplicaAsync(string data, string name, int port)
    {
        var replica = await ServeProcess.StartOnPortAsync(data, port, "--state", Dir.File($"{name}.state"));
        _replicas.Add(replica);
        return replica;
    }

    private async Task<RouterProcess> StartRouterAsync(params ServeProcess[] replicas)
    {
        var port = FreePort.Next();
        var args = new List<string> { "haproxy-config", "--shards", "1", "--bind", $"127.0.0.1:{port}" };
        foreach (var replica in replicas)
            args.AddRange(["--backend", $"127.0.0.1:{replica.Address.Port}"]);
        var (code, config, stderr) = await RecFeedProcess.RunAsync([.. args]);
        Assert.True(code == 0, stderr);
        var path = Dir.File("router.cfg");
        File.WriteAllText(path, config);
        var router = await RouterProcess.StartAsync(path, port);
        _processes.Add(router);
        return router;
    }

    /// <summary>Requests random users through the router until stopped; every non-200 and every exception is a failure.</summary>
    private static async Task<(int Sent, List<string> Failures)> LoadAsync(HttpClient client, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        var failures = new List<string>();
        var sent = 0;
        while (!stop.IsCancellationRequested)
        {
            sent++;
            try
            {
                using var response = await client.GetAsync($"/feed/{random.Next(Users)}?size=1", CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                    failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}".Trim());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failures.Add($"{e.GetType().Name}: {e.Message}");
            }
        }
        return (sent, failures);
    }

    /// <summary>Until HAProxy has sent <paramref name="replica"/> a request: both replicas in rotation before the load starts.</summary>
    private static async Task WaitUntilServingAsync(HttpClient router, ServeProcess replica)
    {
        var user = 0;
        var clock = Stopwatch.StartNew();
        while (await ServedAsync(replica) == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the router never sent a request to " + replica.Address);
            using var _ = await router.GetAsync($"/feed/{user++ % Users}?size=1");
        }
    }

    private static async Task WaitForServedAsync(ServeProcess replica)
    {
        var clock = Stopwatch.StartNew();
        while (await ServedAsync(replica) == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the restarted replica never got traffic back:\n" + replica.Output);
            await Task.Delay(100);
        }
    }

    private static async Task<long> ServedAsync(ServeProcess replica)
    {
        var metrics = await replica.Client.GetStringAsync("/metrics");
        var served = ServedSample().Match(metrics);
        Assert.True(served.Success, "no served counter in /metrics:\n" + metrics);
        return long.Parse(served.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^recfeed_requests_total\{outcome=""served""\} (\d+)$", RegexOptions.Multiline)]
    private static partial Regex ServedSample();
}
