using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Deltas;

/// <summary>Deltas applied over a served base through the reloader, as serve applies them: who gets what, and what is shared.</summary>
public sealed class DeltaOverlayTests : TempDirectoryTest
{
    private const int Items = 10;
    private readonly FeedCounters _counters = new();
    private readonly DeltaStatistics _deltas = new();

    private (FeedService Service, FeedReloader Reloader, string Data) Serve(int users = 40)
    {
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users, Items);
        var service = new FeedService(FeedSlab.Load(data), _counters);
        return (service, new FeedReloader(service, data, new ReloadStatistics(), deltas: _deltas), data);
    }

    private static uint[] Take(FeedService service, uint user, int size)
    {
        var response = new uint[size];
        Assert.Equal(FeedOutcome.Served, service.Serve(user, response, out var count));
        return response[..count];
    }

    [Fact]
    public async Task Listed_users_get_their_new_list_from_its_start_and_the_others_keep_their_place()
    {
        var (service, reloader, data) = Serve();
        using var _ = service;
        using var __ = reloader;
        Take(service, 3, 4);
        Take(service, 5, 4);
        var slab = service.Current.Slab;
        TestDeltas.Write(data, "0001.delta", new Dictionary<ulong, uint[]> { [3] = TestDeltas.NewList(3, 6) });

        var result = await reloader.ReloadAsync();

        Assert.Equal(ReloadOutcome.Accepted, result.Outcome);
        Assert.Contains("applied 0001.delta (1 users)", result.Message);
        Assert.Same(slab, service.Current.Slab); // shared, not copied, and still readable
        Assert.Equal(TestDeltas.NewList(3, 6)[..4], Take(service, 3, 4));
        Assert.Equal(TestDeltas.NewList(3, 6)[4..], Take(service, 3, 2));
        Assert.Equal(TwoDatasets.Item(1, 5, 4), Take(service, 5, 1)[0]);
        Assert.Equal(TwoDatasets.Item(1, 6, 0), Take(service, 6, 1)[0]);
        Assert.Equal((1L, 1L, 0L, 0L), (_deltas.Applied, _deltas.UsersReplaced, _deltas.Rejected, _deltas.Superseded));
        Assert.Equal(ReloadOutcome.Skipped, (await reloader.ReloadAsync()).Outcome); // each delta once
    }

    [Fact]
    public async Task A_later_delta_wins_and_starts_the_user_again()
    {
        var (service, reloader, data) = Serve();
        using var _ = service;
        using var __ = reloader;
        TestDeltas.Write(data, "0001.delta", new Dictionary<ulong, uint[]> { [7] = TestDeltas.NewList(7, 5, delta: 1) });
        Assert.Single(reloader.ApplyDeltas().Added);
        Assert.Equal(TestDeltas.NewList(7, 5, delta: 1)[..2], Take(service, 7, 2));
        TestDeltas.Write(data, "0002.delta", new Dictionary<ulong, uint[]> { [7] = TestDeltas.NewList(7, 5, delta: 2), [8] = [42] });

        await reloader.ReloadAsync();

        Assert.Equal(TestDeltas.NewList(7, 5, delta: 2)[..3], Take(service, 7, 3));
        Assert.Equal(42u, Take(service, 8, 1)[0]);
        Assert.Equal(2UL, service.Current.Overlay!.UsersListed);
        Assert.Equal(2, service.Current.Deltas.Count);
    }

    [Fact]
    public async Task Deltas_for_another_base_corrupt_or_out_of_order_are_refused_whole_once_each()
    {
        var (service, reloader, data) = Serve();
        using var _ = service;
        using var __ = reloader;
        var other = Dir.File("other.bin");
        TwoDatasets.Write(other, dataset: 2, users: 40, Items);
        TestDeltas.Write(data, "0005.delta", new Dictionary<ulong, uint[]> { [1] = [5] });
        Assert.Single(reloader.ApplyDeltas().Added);
        var foreign = TestDeltas.Write(other, "0006.delta", new Dictionary<ulong, uint[]> { [2] = [6] });
        File.Move(foreign, Path.Combine(TestDeltas.DeltaFolderOf(data), "0006.delta"));
        File.SetLastWriteTimeUtc(Path.Combine(TestDeltas.DeltaFolderOf(data), "0006.delta"), DateTime.UtcNow.AddMinutes(1));
        var torn = TestDeltas.Write(data, "0007.delta", new Dictionary<ulong, uint[]> { [3] = TestDeltas.NewList(3, 10), [4] = [7] });
        File.WriteAllBytes(torn, File.ReadAllBytes(torn)[..^4]);
        TestDeltas.Write(data, "0004.delta", new Dictionary<ulong, uint[]> { [4] = [4] });

        var result = await reloader.ReloadAsync();

        Assert.Equal(ReloadOutcome.Skipped, result.Outcome);
        Assert.Contains("0006.delta: it is for dataset", result.Message);
        Assert.Contains("0007.delta: truncated", result.Message);
        Assert.Contains("0004.delta: its name does not sort after 0005.delta", result.Message);
        Assert.Equal(3, _deltas.Rejected);
        Assert.Equal(TwoDatasets.Item(1, 3, 0), Take(service, 3, 1)[0]); // nothing of the torn delta applied
        Assert.Equal(TwoDatasets.Item(1, 4, 0), Take(service, 4, 1)[0]);
        Assert.DoesNotContain("rejected", (await reloader.ReloadAsync()).Message);
        Assert.Equal(3, _deltas.Rejected);
    }

    [Fact]
    public async Task A_new_base_supersedes_the_deltas_of_the_old_one_and_frees_them()
    {
        var (service, reloader, data) = Serve();
        using var _ = service;
        using var __ = reloader;
        TestDeltas.Write(data, "0001.delta", new Dictionary<ulong, uint[]> { [1] = [5] });
        reloader.ApplyDeltas();
        var next = Dir.File("next.bin");
        TwoDatasets.Write(next, dataset: 2, users: 40, Items);
        File.Move(next, data, overwrite: true);

        var result = await reloader.ReloadAsync();

        Assert.Equal(ReloadOutcome.Accepted, result.Outcome);
        Assert.Contains("delta superseded: 0001.delta is for dataset", result.Message);
        Assert.Null(service.Current.Overlay);
        Assert.Equal(TwoDatasets.Item(2, 1, 0), Take(service, 1, 1)[0]);
        Assert.Equal((1L, 0L), (_deltas.Superseded, _deltas.Rejected));
    }
}
