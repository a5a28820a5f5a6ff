using System.Diagnostics;
using System.Net;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// The promises of the state file, on the published binary: after SIGTERM no progress is lost; after kill -9 at most
/// one snapshot interval is. Progress is read back from the items themselves (<see cref="TwoDatasets"/>).
/// </summary>
public sealed class RestartTests : TempDirectoryTest
{
    private const int Users = 400;
    private const int ItemsPerUser = 60;

    private readonly string _data;

    public RestartTests()
    {
        _data = Dir.File("feeds.bin");
        TwoDatasets.Write(_data, dataset: 1, users: Users, itemsPerUser: ItemsPerUser);
    }

    /// <summary>Each user's read position after a restart: the position of the next item served.</summary>
    private static async Task<int[]> PositionsAsync(ServeProcess serve)
    {
        var positions = new int[Users];
        for (var u = 0; u < Users; u++)
        {
            var items = TwoDatasets.Parse(await serve.Client.GetStringAsync($"/feed/{u}?size=1"));
            positions[u] = TwoDatasets.PositionOf(items[0]);
        }
        return positions;
    }

    [Fact]
    public async Task After_SIGTERM_under_load_no_progress_is_lost()
    {
        // No periodic snapshot within the test: what survives is the final one. No drain either: served through
        // it, the clients would read every row to its end, and an exhausted row shows no position to compare.
        await using var first = await ServeProcess.StartAsync(_data, "--snapshot-interval", "3600", "--drain-seconds", "0");
        var claimed = new int[Users];
        long requests = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                var user = random.Next(Users);
                try
                {
                    using var response = await first.Client.GetAsync($"/feed/{user}?size={random.Next(1, 3)}");
                    if (response.StatusCode != HttpStatusCode.OK)
                        continue;
                    var items = TwoDatasets.Parse(await response.Content.ReadAsStringAsync());
                    var personal = items.Count(i => i % TwoDatasets.DatasetStride < 9_000_000);
                    Interlocked.Add(ref claimed[user], personal);
                    Interlocked.Increment(ref requests);
                }
                catch (HttpRequestException)
                {
                    return; // the listener is gone: shutdown has begun
                }
            }
        })).ToArray();
        while (Interlocked.Read(ref requests) < 2_000)
            await Task.Delay(20);

        first.Signal(ServeProcess.SIGTERM);
        var exit = await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        Assert.Equal(0, exit);
        await first.WaitForLineAsync("final snapshot written", TimeSpan.FromSeconds(1));

        await using var second = await ServeProcess.StartAsync(_data, "--snapshot-interval", "3600");
        await second.WaitForLineAsync("read positions restored", TimeSpan.FromSeconds(1));
        var positions = await PositionsAsync(second);
        // Every item a client received stays consumed; nothing else is (an unanswered claim would show as a gap).
        var lost = Enumerable.Range(0, Users).Sum(u => Math.Max(0, claimed[u] - positions[u]));
        var skipped = Enumerable.Range(0, Users).Sum(u => Math.Max(0, positions[u] - claimed[u]));
        Console.WriteLine($"SIGTERM: {requests} requests answered, {claimed.Sum()} personal items claimed, {lost} lost after restart, {skipped} skipped");
        Assert.Equal(0, lost);
        Assert.Equal(0, skipped);
    }

    [Fact]
    public async Task After_kill_9_at_most_one_snapshot_interval_is_lost()
    {
        await using var first = await ServeProcess.StartAsync(_data, "--snapshot-interval", "1");

        // Older than a whole snapshot round by the time of the kill: must all survive.
        for (var u = 0; u < Users / 2; u++)
            await first.Client.GetStringAsync($"/feed/{u}?size=5");
        await TwoSnapshotRoundsAsync(first);
        // Within the last interval before the kill: may be lost.
        var recent = Stopwatch.StartNew();
        for (var u = Users / 2; u < Users; u++)
            await first.Client.GetStringAsync($"/feed/{u}?size=5");
        first.Signal(ServeProcess.SIGKILL);
        var recentWindow = recent.Elapsed;
        Assert.Equal(137, await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        await using var second = await ServeProcess.StartAsync(_data, "--snapshot-interval", "1");
        var positions = await PositionsAsync(second);
        var older = positions[..(Users / 2)];
        var newer = positions[(Users / 2)..];
        var lost = older.Sum(p => 5 - p) + newer.Sum(p => 5 - p);
        Console.WriteLine($"kill -9: {Users} claims of 5 items; claims older than two snapshot rounds: {older.Count(p => p == 5)}/{older.Length} kept; " +
            $"claims in the last {recentWindow.TotalMilliseconds:F0} ms: {newer.Count(p => p == 5)}/{newer.Length} kept; {lost} items lost in total");
        Assert.All(older, p => Assert.Equal(5, p));
        Assert.All(newer, p => Assert.True(p is 0 or 5, $"position {p}: a claim is all or nothing"));
    }

    /// <summary>
    /// Waits, by the server's own count rather than the clock, until two snapshot rounds have finished after this call:
    /// the round finishing first may have read the positions before the call, the next one starts after it. Each round
    /// moves recfeed_snapshot_last_success_timestamp_seconds (written, or nothing had moved).
    /// </summary>
    private static async Task TwoSnapshotRoundsAsync(ServeProcess serve)
    {
        const string name = "recfeed_snapshot_last_success_timestamp_seconds";
        var last = MetricsText.Samples(await serve.Client.GetStringAsync("/metrics"))[name];
        for (var (rounds, polls) = (0, 0); rounds < 2; polls++)
        {
            Assert.True(polls < 1_200, "fewer than two snapshot rounds in a minute of 1 s rounds");
            await Task.Delay(50);
            var now = MetricsText.Samples(await serve.Client.GetStringAsync("/metrics"))[name];
            rounds += now != last ? 1 : 0;
            last = now;
        }
    }

    [Fact]
    public async Task A_second_server_on_the_same_state_file_refuses_to_start_and_the_first_keeps_serving()
    {
        await using var first = await ServeProcess.StartAsync(_data);
        await first.Client.GetStringAsync("/feed/3?size=2");

        var (code, stdout, stderr) = await RecFeedProcess.RunAsync(
            "serve", "--data", _data, "--urls", "http://127.0.0.1:0", "--admin-urls", "http://127.0.0.1:0");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"the state file {_data}.state is in use by another recfeed process (pid {first.Id}", line);
        Assert.Equal([TwoDatasets.Item(1, 3, 2)], TwoDatasets.Parse(await first.Client.GetStringAsync("/feed/3?size=1")));

        first.Kill(); // the kernel drops the lock with the process
        await using var second = await ServeProcess.StartAsync(_data);
        Assert.Equal([TwoDatasets.Item(1, 4, 0)], TwoDatasets.Parse(await second.Client.GetStringAsync("/feed/4?size=1")));
    }

    [Fact]
    public async Task A_corrupt_state_file_is_kept_aside_and_the_server_starts_from_zero()
    {
        var state = _data + ".state";
        File.WriteAllText(state, "this is not a snapshot");
        await using var serve = await ServeProcess.StartAsync(_data);

        var line = await serve.WaitForLineAsync("state file", TimeSpan.FromSeconds(1));
        Assert.Contains("fail:", line);
        Assert.Contains("every user starts from zero", line);
        var aside = Assert.Single(Directory.GetFiles(Dir.Path, "feeds.bin.state.corrupt-*"));
        Assert.Equal("this is not a snapshot", File.ReadAllText(aside));
        Assert.Equal([TwoDatasets.Item(1, 9, 0)], TwoDatasets.Parse(await serve.Client.GetStringAsync("/feed/9?size=1")));
    }

    [Fact]
    public async Task SIGHUP_reloads_a_new_file_and_the_state_file_follows()
    {
        await using var serve = await ServeProcess.StartAsync(_data);
        await serve.Client.GetStringAsync("/feed/2?size=3");
        var incoming = Dir.File("incoming.bin");
        TwoDatasets.Write(incoming, dataset: 2, users: Users, itemsPerUser: ItemsPerUser);
        File.Move(incoming, _data, overwrite: true);

        serve.Signal(ServeProcess.SIGHUP);

        var line = await serve.WaitForLineAsync("SIGHUP:", TimeSpan.FromSeconds(30));
        Assert.Contains("new dataset", line);
        Assert.Contains("state file", line);
        Assert.Equal([TwoDatasets.Item(2, 2, 0)], TwoDatasets.Parse(await serve.Client.GetStringAsync("/feed/2?size=1")));
        using var healthz = await serve.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
    }
}
