using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Reload;

public sealed class GenerationSwapTests : TempDirectoryTest
{

    private static uint First(FeedService service, uint user)
    {
        Span<uint> items = stackalloc uint[1];
        service.Serve(user, items, out _);
        return items[0];
    }

    [Fact]
    public void The_same_dataset_keeps_positions_and_frees_the_old_slab()
    {
        var data = Dir.File("a.bin");
        TwoDatasets.Write(data, dataset: 1, users: 20, itemsPerUser: 10);
        using var service = new FeedService(FeedSlab.Load(data), new FeedCounters());
        First(service, 5);
        First(service, 5);
        var old = service.Current;

        Assert.True(service.Swap(FeedSlab.Load(data)));

        Assert.NotSame(old, service.Current);
        Assert.Same(old.Positions, service.Current.Positions);
        Assert.Equal(TwoDatasets.Item(1, 5, 2), First(service, 5));
        Assert.True(old.Gate.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => old.Slab.Fallback.Length);
    }

    [Fact]
    public void A_new_dataset_starts_everyone_from_zero()
    {
        var (a, b) = TwoDatasets.WriteBoth(Dir, users: 20, itemsPerUser: 10);
        using var service = new FeedService(FeedSlab.Load(a), new FeedCounters());
        First(service, 5);

        Assert.False(service.Swap(FeedSlab.Load(b)));

        Assert.Equal(TwoDatasets.Item(2, 5, 0), First(service, 5));
        Assert.True(service.Current.Positions.ChangedChunks.ContainsAnyExcept((byte)0)); // so the state file follows the new dataset
    }

    [Fact]
    public async Task Requests_racing_with_swaps_always_read_one_whole_generation()
    {
        var (one, two) = TwoDatasets.WriteBoth(Dir, users: 500, itemsPerUser: 40);
        var files = new[] { one, two };
        var slabs = Enumerable.Range(0, 60).Select(i => FeedSlab.Load(files[i % 2])).ToArray();
        using var service = new FeedService(FeedSlab.Load(files[1]), new FeedCounters());
        long mixed = 0;
        var load = new ServeLoad(service, readers: 4, users: 600, maxSize: 60, items =>
        {
            foreach (var item in items)
                if (TwoDatasets.DatasetOf(item) != TwoDatasets.DatasetOf(items[0]))
                    Interlocked.Increment(ref mixed);
        });
        await using (load)
        {
            foreach (var slab in slabs)
            {
                await load.WaitForAsync(50); // requests run on each generation before it is retired
                var old = service.Current;
                service.Swap(slab);
                Assert.True(old.Gate.IsClosed);
                Assert.Equal(0, old.Gate.Readers);
            }
        }

        Assert.True(load.Served > 1000, $"only {load.Served} requests ran during the swaps");
        Assert.Equal(0, mixed);
    }
}
