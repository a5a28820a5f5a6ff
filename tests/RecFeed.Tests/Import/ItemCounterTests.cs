using RecFeed.Import;

namespace RecFeed.Tests.Import;

public sealed class ItemCounterTests
{
    [Fact]
    public void Top_ranks_small_and_large_ids_together_by_count_then_smaller_id()
    {
        var counter = new ItemCounter();
        counter.Add([5u, 4_000_000_000u, 16_777_216u, 7u], 1);
        counter.Add([4_000_000_000u, 16_777_216u, 7u], 1);
        counter.Add([4_000_000_000u, 3u], 1);

        Assert.Equal([4_000_000_000u, 7u, 16_777_216u, 3u], counter.Top(4));
        Assert.Equal([4_000_000_000u, 7u, 16_777_216u, 3u, 5u], counter.Top(50));
        Assert.Empty(counter.Top(0));
    }

    [Fact]
    public void Taking_a_replaced_row_back_out_drops_items_nobody_holds_any_more()
    {
        var counter = new ItemCounter();
        counter.Add([1u, 3_000_000_000u], 1);
        counter.Add([2u, 3_000_000_000u], 1);
        counter.Add([1u, 3_000_000_000u], -1);

        Assert.Equal([2u, 3_000_000_000u], counter.Top(10));
    }

    [Fact]
    public void Hash_table_keeps_every_count_while_it_grows()
    {
        var counter = new ItemCounter();
        for (var i = 0u; i < 100_000; i++)
            counter.Add(4_000_000_000u - i, (int)(i % 7) + 1);

        // Count 7 is held by ids with i % 7 == 6; the smaller ids (larger i) win ties.
        Assert.Equal(Enumerable.Range(0, 3).Select(j => 4_000_000_000u - (99_999u - (99_999u - 6) % 7 - 7 * (uint)j)), counter.Top(3));
    }
}
