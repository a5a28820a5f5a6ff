using RecFeed.Http.Lifecycle;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Deltas;

/// <summary>Deltas through the real server in this process (this run's transport): at start, on POST /admin/reload, in /metrics.</summary>
public sealed class DeltaHttpTests : TempDirectoryTest
{
    private const int Items = 10;

    [Fact]
    public async Task Deltas_at_start_and_on_reload_serve_the_exact_new_lists_and_are_counted()
    {
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users: 50, Items);
        TestDeltas.Write(data, "0001.delta", new Dictionary<ulong, uint[]> { [4] = TestDeltas.NewList(4, 7, delta: 1) });
        await using var server = await InProcessServer.StartAsync(new ServeOptions { Data = data, AdminUrls = ["http://127.0.0.1:0"] });
        using var admin = new HttpClient { BaseAddress = server.AdminAddress };

        Assert.Equal(Json(TestDeltas.NewList(4, 7, delta: 1)), await server.Client.GetStringAsync("/feed/4?size=7"));
        Assert.Equal(Json([TwoDatasets.Item(1, 5, 0), TwoDatasets.Item(1, 5, 1)]), await server.Client.GetStringAsync("/feed/5?size=2"));

        TestDeltas.Write(data, "0002.delta", new Dictionary<ulong, uint[]> { [5] = TestDeltas.NewList(5, 3, delta: 2) });
        var other = Dir.File("other.bin");
        TwoDatasets.Write(other, dataset: 2, users: 50, Items);
        var foreign = TestDeltas.Write(other, "0003.delta", new Dictionary<ulong, uint[]> { [6] = [1] });
        File.Move(foreign, Path.Combine(TestDeltas.DeltaFolderOf(data), "0003.delta"));
        var reload = await admin.PostAsync("/admin/reload", null);
        var said = await reload.Content.ReadAsStringAsync();

        Assert.Contains("applied 0002.delta (1 users)", said);
        Assert.Contains("delta rejected:", said);
        Assert.Equal(Json(TestDeltas.NewList(5, 3, delta: 2)), await server.Client.GetStringAsync("/feed/5?size=3"));
        Assert.Equal(Json([TwoDatasets.Item(1, 6, 0)]), await server.Client.GetStringAsync("/feed/6?size=1"));
        var samples = MetricsText.Samples(await server.Client.GetStringAsync("/metrics"));
        Assert.Equal(2, samples["recfeed_deltas_total{result=\"applied\"}"]);
        Assert.Equal(1, samples["recfeed_deltas_total{result=\"rejected\"}"]);
        Assert.Equal(0, samples["recfeed_deltas_total{result=\"superseded\"}"]);
        Assert.Equal(2, samples["recfeed_delta_users_replaced_total"]);
        Assert.Equal(2, samples["recfeed_deltas_served"]);
        Assert.Equal(2, samples["recfeed_delta_users_listed"]);
        Assert.Equal((double)server.Service.Current.Overlay!.Bytes, samples["recfeed_delta_bytes"]);
    }

    private static string Json(uint[] items) => "[" + string.Join(',', items) + "]";
}
