using System.Collections.Concurrent;
using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Deltas;

/// <summary>A delta applied while requests race on the users it lists: nothing of the new lists is skipped or served twice.</summary>
public sealed class DeltaRaceTests : TempDirectoryTest
{
    [Fact]
    public async Task Racing_requests_across_the_apply_serve_each_new_item_once_and_the_rest_of_the_old_list_never_twice()
    {
        const int items = 90, users = 8; // TwoDatasets' ids tell positions below 100
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users: 64, items);
        using var service = new FeedService(FeedSlab.Load(data), new FeedCounters());
        using var reloader = new FeedReloader(service, data, new ReloadStatistics());
        TestDeltas.Write(data, "0001.delta", Enumerable.Range(0, users).ToDictionary(u => (ulong)u, u => TestDeltas.NewList(u, items)));
        var served = new ConcurrentQueue<uint>();
        using var applied = new ManualResetEventSlim();
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(() =>
        {
            var response = new uint[3];
            var round = c;
            for (var after = 0; after < 50; after += applied.IsSet ? 1 : 0)
            {
                var outcome = service.Serve((uint)(round++ % users), response, out var count);
                Assert.Equal(FeedOutcome.Served, outcome);
                foreach (var item in response[..count])
                    served.Enqueue(item);
            }
        })).ToArray();
        await Task.Delay(20);
        Assert.Single(reloader.ApplyDeltas().Added);
        applied.Set();
        await Task.WhenAll(clients);

        var all = served.ToArray();
        for (var u = 0; u < users; u++)
        {
            var fresh = TestDeltas.NewList(u, items);
            var got = all.Where(fresh.Contains).ToArray();
            Assert.Equal(got.Length, got.Distinct().Count());
            var next = Take(service, (uint)u, items);
            // What the racing requests took of the new list, then the rest of it: every item once, from the first on.
            Assert.Equal(fresh, got.Order().Concat(next.Where(fresh.Contains)).ToArray());
            var old = all.Where(i => TwoDatasets.DatasetOf(i) == 1 && i % 10_000_000 / 100 == u && i % 10_000_000 < 9_000_000).ToArray();
            Assert.Equal(old.Length, old.Distinct().Count());
        }
    }

    private static uint[] Take(FeedService service, uint user, int size)
    {
        var response = new uint[size];
        service.Serve(user, response, out var count);
        return response[..count];
    }
}
