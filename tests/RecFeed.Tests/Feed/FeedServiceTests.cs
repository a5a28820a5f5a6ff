using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Feed;

public sealed class FeedServiceTests : TempDirectoryTest
{
    /// <summary>What the services of a test served; a request's outcome is what <see cref="FeedService.Serve"/> returns.</summary>
    private readonly FeedCounters _counters = new();

    private FeedService Service(uint[][] rows, uint[] fallback, int itemsPerUser, uint shardIndex = 0, uint shardCount = 1,
        uint version = RecFeed.Format.FeedFileHeader.CurrentVersion)
    {
        var path = Dir.File(Guid.NewGuid().ToString("N"));
        TestFeeds.WriteLists(path, rows, fallback, itemsPerUser, shardIndex, shardCount, version);
        return new FeedService(FeedSlab.Load(path), _counters);
    }

    private static uint[] Serve(FeedService service, uint user, int size, FeedOutcome expected = FeedOutcome.Served)
    {
        var response = new uint[size];
        Assert.Equal(expected, service.Serve(user, response, out var count));
        return response[..count];
    }

    [Fact]
    public void Personal_items_come_in_stored_order_and_the_position_advances()
    {
        using var s = Service([[1, 2, 3, 4, 5, 6, 7]], [], itemsPerUser: 7);
        Assert.Equal([1u, 2, 3], Serve(s, 0, 3));
        Assert.Equal([4u, 5, 6], Serve(s, 0, 3));
        Assert.Equal([7u], Serve(s, 0, 3)); // no fallback to fill with
        Assert.Equal(7, _counters[FeedCounter.PersonalItems]);
        Assert.Equal(1, _counters[FeedCounter.ExhaustedUsers]);
    }

    [Theory]
    [MemberData(nameof(TestFeeds.Versions), MemberType = typeof(TestFeeds))]
    public void A_short_row_ends_the_personal_list_in_either_version(uint version)
    {
        // Version 1 pads the row with zeros up to 6 slots; version 2 stores 3 ids and knows the row's end from its index.
        using var s = Service([[4, 5, 6], [7]], [90, 91, 92, 93, 94], itemsPerUser: 6, version: version);
        Assert.Equal([4u, 5], Serve(s, 0, 2));
        var rest = Serve(s, 0, 4);
        Assert.Equal([6u], rest[..1]);
        Assert.All(rest[1..], item => Assert.InRange(item, 90u, 94u));
        Assert.Equal(1, _counters[FeedCounter.ExhaustedUsers]);
    }

    [Fact]
    public void A_position_past_a_version_2_rows_end_serves_fallback_only()
    {
        // A state file bounds positions by the longest row, so a shorter row can find its position beyond its end.
        using var s = Service([[4, 5, 6]], [90], itemsPerUser: 6);
        s.Current.Positions.Slice(0, 1)[0] = 5;
        Assert.Equal([90u], Serve(s, 0, 1));
        Assert.Equal(0, _counters[FeedCounter.PersonalItems]);
    }

    [Fact]
    public void After_exhaustion_the_user_walks_their_fallback_cycle_without_their_own_items_then_walks_it_again()
    {
        uint[] fallback = [1, 50, 51, 52, 53, 2, 54];
        using var s = Service([[1, 2, 3]], fallback, itemsPerUser: 3);
        Assert.Equal([1u, 2, 3], Serve(s, 0, 3));
        var served = Enumerable.Range(0, 4).SelectMany(_ => Serve(s, 0, 3)).ToArray(); // 12 items: a cycle is 5
        Assert.Equal(FallbackModel.Sequence(fallback, s.Current.DatasetId, 0, [1, 2, 3], 12), served);
        Assert.Equal([50u, 51, 52, 53, 54], served[..5].Order().ToArray());
        Assert.Equal(served[..5], served[5..10]);
        Assert.Equal(12, _counters[FeedCounter.FallbackItems]);
        Assert.Equal(1, _counters[FeedCounter.ExhaustedUsers]);
    }

    [Fact]
    public void A_mixed_response_tops_up_with_fallback_items_other_than_its_personal_ones()
    {
        // Fallback shares ids with the personal tail: they must not appear twice in one response.
        uint[] fallback = [40, 30, 99, 98, 97, 96];
        using var s = Service([[10, 20, 30, 40]], fallback, itemsPerUser: 4);
        Serve(s, 0, 2);
        var r = Serve(s, 0, 4);
        Assert.Equal([30u, 40, .. FallbackModel.Sequence(fallback, s.Current.DatasetId, 0, [10, 20, 30, 40], 2)], r);
    }

    [Fact]
    public void Users_get_their_own_orders_and_a_user_whose_list_covers_the_fallback_gets_none()
    {
        uint[] fallback = [.. Enumerable.Range(100, 30).Select(i => (uint)i)];
        using var s = Service([[], []], fallback, itemsPerUser: 2);
        var a = Serve(s, 0, 10);
        var b = Serve(s, 1, 10);
        Assert.Equal(FallbackModel.Sequence(fallback, s.Current.DatasetId, 0, [], 10), a);
        Assert.Equal(FallbackModel.Sequence(fallback, s.Current.DatasetId, 1, [], 10), b);
        Assert.NotEqual(a, b);
        using var covered = Service([[5, 6]], [6, 5], itemsPerUser: 2);
        Assert.Equal([5u, 6], Serve(covered, 0, 2));
        Assert.Empty(Serve(covered, 0, 2, FeedOutcome.Unavailable));
    }

    [Fact]
    public void A_zero_ends_the_personal_list_even_before_the_row_ends()
    {
        using var s = Service([[7, 8, 0, 9]], [], itemsPerUser: 4);
        Assert.Equal([7u, 8], Serve(s, 0, 4));
        Assert.Equal(1, _counters[FeedCounter.ExhaustedUsers]);
        Assert.Empty(Serve(s, 0, 4, FeedOutcome.Unavailable));
    }

    [Fact]
    public void A_user_beyond_the_file_gets_fallback_only_and_is_counted()
    {
        using var s = Service([[1, 2]], [5, 6, 7], itemsPerUser: 2);
        var r = Serve(s, 4_000_000_000, 2, FeedOutcome.UnknownUser);
        Assert.Equal(2, r.Distinct().Count());
        Assert.All(r, id => Assert.Contains(id, new uint[] { 5, 6, 7 }));
    }

    [Fact]
    public void A_fallback_list_smaller_than_the_request_returns_what_exists()
    {
        using var s = Service([[]], [5, 6], itemsPerUser: 10);
        var r = Serve(s, 0, 10);
        Assert.Equal([5u, 6], r.Order().ToArray());
    }

    [Fact]
    public void A_shard_serves_its_own_users_at_dense_indexes_and_refuses_others()
    {
        // Shard 1 of 3 holds users 1, 4, 7 at rows 0, 1, 2.
        using var s = Service([[11], [44], [77]], [500], itemsPerUser: 1, shardIndex: 1, shardCount: 3);
        Assert.Equal([44u], Serve(s, 4, 1));
        Assert.Equal([77u], Serve(s, 7, 1));
        Assert.Empty(Serve(s, 3, 1, FeedOutcome.Misdirected));
        Assert.Equal([500u], Serve(s, 10, 1, FeedOutcome.UnknownUser));
    }

    [Fact]
    public void Racing_threads_on_one_exhausted_user_get_every_fallback_item_exactly_once_per_cycle()
    {
        uint[] row = [3, 5, 8];
        uint[] fallback = [.. Enumerable.Range(1, 1_000).Select(i => (uint)i)];
        using var s = Service([row], fallback, itemsPerUser: 3);
        Serve(s, 0, 3);
        const int Requests = 1_000, Size = 7; // 7,000 items: 7 cycles of 997 and 21 more
        var seen = new System.Collections.Concurrent.ConcurrentBag<uint>();
        Parallel.For(0, Requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var response = new uint[Size];
            Assert.Equal(FeedOutcome.Served, s.Serve(0, response, out var n));
            Assert.Equal(Size, n);
            foreach (var id in response)
                seen.Add(id);
        });
        var expected = FallbackModel.Sequence(fallback, s.Current.DatasetId, 0, row, Requests * Size);
        Assert.Equal(expected.Order(), seen.Order()); // each item 7 times, the first 21 of the cycle 8 times
        Assert.Equal(Requests * Size % 997, PositionsWalked(s.Current.Positions.ReadCursor(0), s, row));
    }

    /// <summary>Fallback items a cursor stands past in a cycle, own items (skipped) not counted.</summary>
    private static int PositionsWalked(ushort cursor, FeedService s, uint[] row)
    {
        var picker = s.Current.Fallback;
        var order = picker.OrderOf(s.Current.DatasetId, 0);
        return Enumerable.Range(0, cursor).Count(p => !row.Contains(picker.ItemAt(order, p)));
    }

    [Fact]
    public void Racing_threads_on_one_user_get_every_item_exactly_once()
    {
        var row = Enumerable.Range(1, 5000).Select(i => (uint)i).ToArray();
        using var s = Service([row], [], itemsPerUser: 5000);
        var seen = new System.Collections.Concurrent.ConcurrentBag<uint>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var response = new uint[7];
            while (s.Serve(0, response, out var n) == FeedOutcome.Served)
                foreach (var id in response.AsSpan(0, n))
                    seen.Add(id);
        });
        Assert.Equal(row, seen.Order().ToArray());
        Assert.Equal(1, _counters[FeedCounter.ExhaustedUsers]);
    }
}
