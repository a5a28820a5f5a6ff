using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.State;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Deltas;

/// <summary>The delta state file: a restart applies the deltas again and gives their users back the positions they had.</summary>
public sealed class DeltaRestartTests : TempDirectoryTest
{
    private const int Items = 10;

    private sealed record Process(FeedService Service, FeedReloader Reloader, StateKeeper Keeper) : IDisposable
    {
        public void Dispose()
        {
            Keeper.Dispose();
            Reloader.Dispose();
            Service.Dispose();
        }
    }

    private Process Start(string data)
    {
        var service = new FeedService(FeedSlab.Load(data), new FeedCounters());
        var keeper = new StateKeeper(service, StateFile.DefaultPath(data), new SnapshotStatistics());
        keeper.Restore();
        var reloader = new FeedReloader(service, data, new ReloadStatistics());
        reloader.ApplyDeltas();
        return new Process(service, reloader, keeper);
    }

    private static uint[] Take(FeedService service, uint user, int size)
    {
        var response = new uint[size];
        service.Serve(user, response, out var count);
        return response[..count];
    }

    [Fact]
    public void Only_a_delta_the_state_file_does_not_name_resets_its_users()
    {
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users: 30, Items);
        TestDeltas.Write(data, "0001.delta", new Dictionary<ulong, uint[]> { [2] = TestDeltas.NewList(2, Items, delta: 1) });
        using (var first = Start(data))
        {
            Assert.Empty(first.Keeper.RestoreDeltas(out _));
            Take(first.Service, 2, 3);
            Take(first.Service, 9, 4);
            first.Keeper.WriteIfChanged();
        }
        TestDeltas.Write(data, "0002.delta", new Dictionary<ulong, uint[]> { [5] = TestDeltas.NewList(5, Items, delta: 2) });

        using var second = Start(data);
        Assert.Equal(["0001.delta"], second.Keeper.RestoreDeltas(out var problem));
        Assert.Null(problem);
        Assert.Equal(TestDeltas.NewList(2, Items, delta: 1)[3], Take(second.Service, 2, 1)[0]);
        Assert.Equal(TestDeltas.NewList(5, Items, delta: 2)[0], Take(second.Service, 5, 1)[0]);
        Assert.Equal(TwoDatasets.Item(1, 9, 4), Take(second.Service, 9, 1)[0]);
    }

    [Fact]
    public void A_damaged_delta_state_file_restores_nothing_and_says_why()
    {
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users: 30, Items);
        TestDeltas.Write(data, "0001.delta", new Dictionary<ulong, uint[]> { [2] = TestDeltas.NewList(2, Items) });
        using (var first = Start(data))
        {
            Take(first.Service, 2, 3);
            first.Keeper.WriteIfChanged();
        }
        var path = DeltaStateFile.PathFor(StateFile.DefaultPath(data));
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);

        using var second = Start(data);
        Assert.Empty(second.Keeper.RestoreDeltas(out var problem));
        Assert.Contains("checksum", problem);
        Assert.Equal(TestDeltas.NewList(2, Items)[0], Take(second.Service, 2, 1)[0]);
    }
}
