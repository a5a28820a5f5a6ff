using System.Net;
using RecFeed.Http.Admin;
using RecFeed.Http.Lifecycle;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Reload;

/// <summary>The public and admin listeners on real Kestrel in this process, reloading while clients read.</summary>
public sealed class ReloadUnderLoadTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private InProcessServer _server = null!;
    private HttpClient _client = null!;
    private HttpClient _adminClient = null!;

    private string Data => _dir.File("feeds.bin");

    public async Task InitializeAsync()
    {
        TwoDatasets.WriteBoth(_dir, users: 1_000, itemsPerUser: 30);
        File.Copy(_dir.File("one.bin"), Data);
        _server = await InProcessServer.StartAsync(new ServeOptions { Data = Data, AdminUrls = ["http://127.0.0.1:0"] });
        _client = new HttpClient { BaseAddress = _server.Address };
        _adminClient = new HttpClient { BaseAddress = _server.AdminAddress };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _adminClient.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>How an operator ships a new file: write it elsewhere, rename it over the served path.</summary>
    private void Replace(string source)
    {
        var temp = Data + ".incoming";
        File.Copy(source, temp, overwrite: true);
        File.Move(temp, Data, overwrite: true);
    }

    [Fact]
    public async Task Reloads_while_clients_read_fail_no_request_and_mix_no_datasets()
    {
        using var stop = new CancellationTokenSource();
        long ok = 0, failed = 0, mixed = 0;
        var seen = new int[3];
        var clients = Enumerable.Range(0, 6).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await _client.GetAsync($"/feed/{random.Next(1_000)}?size={random.Next(1, 31)}");
                    var items = TwoDatasets.Parse(await response.Content.ReadAsStringAsync());
                    if (response.StatusCode != HttpStatusCode.OK || items.Length == 0)
                    {
                        Interlocked.Increment(ref failed);
                        continue;
                    }
                    var dataset = TwoDatasets.DatasetOf(items[0]);
                    if (items.Any(i => TwoDatasets.DatasetOf(i) != dataset))
                        Interlocked.Increment(ref mixed);
                    Interlocked.Increment(ref seen[dataset]);
                    Interlocked.Increment(ref ok);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();

        // Each dataset is kept until the clients have been answered from it a few times, counted, not timed: on a
        // loaded machine the clients may not run at all in a fixed sleep.
        async Task AnsweredFromAsync(int dataset, int from)
        {
            for (var polls = 0; Volatile.Read(ref seen[dataset]) < from + 10; polls++)
            {
                Assert.True(polls < 6_000, $"no answers from dataset {dataset} in a minute");
                await Task.Delay(10);
            }
        }
        await AnsweredFromAsync(1, 0);
        const int Reloads = 12;
        for (var i = 0; i < Reloads; i++)
        {
            var dataset = i % 2 == 0 ? 2 : 1;
            Replace(_dir.File(dataset == 2 ? "two.bin" : "one.bin"));
            var before = Volatile.Read(ref seen[dataset]);
            using var response = await _adminClient.PostAsync("/admin/reload", null);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("new dataset", body);
            await AnsweredFromAsync(dataset, before);
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Console.WriteLine(
            $"reload under load: {Reloads} reloads, {ok} requests ok, {failed} failed, {mixed} mixed (dataset 1: {seen[1]}, dataset 2: {seen[2]})");
        Assert.Equal(0, failed);
        Assert.Equal(0, mixed);
        Assert.True(seen[1] > 0 && seen[2] > 0, "both datasets must have been served");
        Assert.True(ok > 500, $"only {ok} requests ran");
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("corrupt")]
    [InlineData("foreign")]
    [InlineData("missing")]
    public async Task A_bad_file_is_rejected_and_the_old_data_keeps_serving(string damage)
    {
        var first = TwoDatasets.Parse(await _client.GetStringAsync("/feed/7?size=2"));
        var good = File.ReadAllBytes(_dir.File("two.bin"));
        switch (damage)
        {
            case "truncated": File.WriteAllBytes(Data, good[..^100]); break;
            case "corrupt": good[^5] ^= 0xFF; File.WriteAllBytes(Data, good); break;
            case "foreign": File.WriteAllText(Data, "id,items\n1,2\n"); break;
            case "missing": File.Delete(Data); break;
        }

        using var response = await _adminClient.PostAsync("/admin/reload", null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.StartsWith("reload rejected: ", body);
        Assert.Contains("still serving dataset", body);
        Assert.Single(body.TrimEnd('\n').Split('\n'));
        var next = TwoDatasets.Parse(await _client.GetStringAsync("/feed/7?size=2"));
        Assert.Equal([TwoDatasets.Item(1, 7, 0), TwoDatasets.Item(1, 7, 1)], first);
        Assert.Equal([TwoDatasets.Item(1, 7, 2), TwoDatasets.Item(1, 7, 3)], next);
    }

    [Fact]
    public async Task Reloading_the_same_dataset_keeps_read_positions()
    {
        await _client.GetStringAsync("/feed/3?size=4");
        Replace(_dir.File("one.bin"));
        using var response = await _adminClient.PostAsync("/admin/reload", null);
        Assert.Contains("read positions kept", await response.Content.ReadAsStringAsync());
        Assert.Equal([TwoDatasets.Item(1, 3, 4)], TwoDatasets.Parse(await _client.GetStringAsync("/feed/3?size=1")));
    }

    [Fact]
    public async Task Admin_routes_do_not_exist_on_the_public_listener()
    {
        using var post = await _client.PostAsync("/admin/reload", null);
        using var get = await _client.GetAsync("/admin/reload");
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var feedOnAdmin = await _adminClient.GetAsync("/feed/1");
        Assert.Equal(HttpStatusCode.NotFound, feedOnAdmin.StatusCode);
    }

    [Fact]
    public void Only_loopback_admin_addresses_count_as_loopback()
    {
        Assert.True(AdminListener.IsLoopbackOnly(["http://127.0.0.1:9000"]));
        Assert.True(AdminListener.IsLoopbackOnly(["http://localhost:9000", "http://[::1]:9000"]));
        Assert.False(AdminListener.IsLoopbackOnly(["http://0.0.0.0:8081"]));
        Assert.False(AdminListener.IsLoopbackOnly(["http://127.0.0.1:8081", "http://10.1.2.3:8081"]));
    }
}
