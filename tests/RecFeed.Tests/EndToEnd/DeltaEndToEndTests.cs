using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// Deltas on the published binary: written by <c>recfeed import --delta-for</c>, applied by SIGHUP while HTTP clients
/// read (0 failed requests; each listed user's list exactly as <c>recfeed inspect X.delta --user U</c> prints it),
/// surviving SIGTERM and a restart without a second reset, and refused for the wrong base.
/// </summary>
public sealed class DeltaEndToEndTests : TempDirectoryTest
{
    private const int Users = 2_000, Items = 20;
    private static readonly uint[] Listed = [3, 77, 1_500];

    [Fact]
    public async Task A_delta_applied_under_load_serves_the_exact_new_lists_and_survives_a_restart()
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, Users, Items, fallback: 30);
        var csv = Dir.File("changes.csv");
        await File.WriteAllLinesAsync(csv,
            ["user_id,items", .. Listed.Select(u => $"{u},{string.Join(' ', Enumerable.Range(1, 12).Select(i => u * 1000 + i))}")]);
        var delta = Path.Combine(data + ".deltas", "0001.delta");
        var (code, stdout, stderr) = await RecFeedProcess.RunAsync("import", "--from", csv, "--delta-for", data, "--out", delta);
        Assert.True(code == 0, stderr);
        Assert.Contains("wrote delta", stdout);
        var expected = new Dictionary<uint, string>();
        foreach (var user in Listed)
        {
            var inspected = await RecFeedProcess.RunAsync("inspect", delta, "--user", user.ToString());
            Assert.Equal(0, inspected.Code);
            expected[user] = inspected.Stdout.Trim();
        }
        Assert.Equal($"[{string.Join(',', Enumerable.Range(1, 12).Select(i => 3 * 1000 + i))}]", expected[3]);
        File.Move(delta, delta + ".later"); // not yet: the server starts on the base alone

        var args = new[] { "--snapshot-interval", "3600", "--drain-seconds", "0" };
        await using (var serve = await ServeProcess.StartAsync(data, args))
        {
            Assert.NotEqual(expected[3], await serve.Client.GetStringAsync("/feed/3?size=12"));
            var failed = 0L;
            var served = 0L;
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
            {
                using var client = new HttpClient { BaseAddress = serve.Address };
                var random = new Random(c);
                while (!stop.IsCancellationRequested)
                {
                    var user = 100 + random.Next(1_300); // 100..1399: never a listed one
                    using var response = await client.GetAsync($"/feed/{user}?size=3");
                    Interlocked.Increment(ref response.IsSuccessStatusCode ? ref served : ref failed);
                }
            })).ToArray();
            await Task.Delay(300);
            File.Move(delta + ".later", delta);
            serve.Signal(ServeProcess.SIGHUP);
            Assert.Contains("applied 0001.delta (3 users)", await serve.WaitForLineAsync("SIGHUP:", TimeSpan.FromSeconds(30)));
            await Task.Delay(300);
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            Assert.Equal(0, Interlocked.Read(ref failed));
            Assert.True(served > 0);

            Assert.Equal(expected[3], await serve.Client.GetStringAsync("/feed/3?size=12"));
            Assert.Equal(expected[1_500], await serve.Client.GetStringAsync("/feed/1500?size=12"));
            var first77 = TwoDatasets.Parse(await serve.Client.GetStringAsync("/feed/77?size=5"));
            Assert.Equal(TwoDatasets.Parse(expected[77])[..5], first77);
            var metrics = MetricsText.Samples(await serve.Client.GetStringAsync("/metrics"));
            Assert.Equal(1, metrics["recfeed_deltas_total{result=\"applied\"}"]);
            Assert.Equal(3, metrics["recfeed_delta_users_listed"]);
            serve.Signal(ServeProcess.SIGTERM);
            Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // Restarted: the delta is applied again, and user 77 goes on from item 5 instead of starting it again.
        await using var again = await ServeProcess.StartAsync(data, args);
        Assert.Contains("read positions restored from", await again.WaitForLineAsync("delta applied: 0001.delta", TimeSpan.FromSeconds(10)));
        Assert.Equal(TwoDatasets.Parse(expected[77])[5..10], TwoDatasets.Parse(await again.Client.GetStringAsync("/feed/77?size=5")));
    }

    [Fact]
    public async Task A_delta_for_another_base_is_refused_in_one_line_and_counted()
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, Users, Items, seed: 1);
        var other = Dir.File("other.bin");
        TestFeeds.WriteRandom(other, Users, Items, seed: 2);
        var csv = Dir.File("changes.csv");
        await File.WriteAllLinesAsync(csv, ["user_id,items", "5,1 2 3"]);
        Directory.CreateDirectory(data + ".deltas");
        var delta = Path.Combine(data + ".deltas", "0001.delta");
        Assert.Equal(0, (await RecFeedProcess.RunAsync("import", "--from", csv, "--delta-for", other, "--out", delta)).Code);
        var before = await ServeProcess.StartAsync(data, "--drain-seconds", "0");
        await using var serve = before;

        var line = await serve.WaitForLineAsync("delta rejected:", TimeSpan.FromSeconds(10));
        Assert.Contains("0001.delta: it is for dataset", line);
        Assert.NotEqual("[1,2,3]", await serve.Client.GetStringAsync("/feed/5?size=3"));
        var metrics = MetricsText.Samples(await serve.Client.GetStringAsync("/metrics"));
        Assert.Equal(1, metrics["recfeed_deltas_total{result=\"rejected\"}"]);
        Assert.Equal(0, metrics["recfeed_deltas_total{result=\"applied\"}"]);
        var users = await RecFeedProcess.RunAsync("import", "--from", csv, "--delta-for", data, "--out", delta + "2");
        Assert.Equal(0, users.Code);
        await File.WriteAllLinesAsync(csv, ["user_id,items", $"{Users},1 2 3"]);
        var outside = await RecFeedProcess.RunAsync("import", "--from", csv, "--delta-for", data, "--out", delta + "3");
        Assert.Equal(2, outside.Code);
        Assert.Contains("is not in the base", outside.Stderr);
    }
}
