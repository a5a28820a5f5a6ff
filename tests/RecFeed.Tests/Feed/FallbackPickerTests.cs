using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Feed;

/// <summary>One response's walk of a user's fallback cycle, from their cursor; <see cref="FeedServiceTests"/> covers the cursor's claim.</summary>
public sealed class FallbackPickerTests
{
    private const ulong Dataset = 0x5EED;

    private static uint[] Range(int from, int count) => [.. Enumerable.Range(from, count).Select(i => (uint)i)];

    /// <summary>Serves <paramref name="requests"/> responses of <paramref name="size"/> to one user the way the service does, with no own list.</summary>
    private static List<uint> Walk(FallbackPicker picker, uint user, int size, int requests)
    {
        var served = new List<uint>();
        var cursor = 0;
        for (var r = 0; r < requests; r++)
        {
            var response = new uint[size];
            var n = picker.Fill(response, 0, picker.OrderOf(Dataset, user), cursor, default, out var next);
            Assert.Equal(response.Length, response[..n].Distinct().Count() + (response.Length - n));
            served.AddRange(response[..n]);
            cursor = next;
        }
        return served;
    }

    [Fact]
    public void Responses_follow_the_users_cycle_with_no_repeat_until_it_ends_then_start_it_again()
    {
        var fallback = Range(100, 23);
        var served = Walk(new FallbackPicker(fallback), 7, size: 5, requests: 10); // 50 items: two cycles and 4 more
        Assert.Equal(FallbackModel.Sequence(fallback, Dataset, 7, [], 50), served);
        Assert.Equal(fallback, served[..23].Order());
        Assert.Equal(served[..23], served[23..46]);
    }

    [Fact]
    public void The_users_own_items_are_skipped_and_never_break_the_cycle()
    {
        var fallback = Range(1, 40);
        var picker = new FallbackPicker(fallback);
        var own = new uint[] { 3, 999, 17, 40, 0, 5 }; // 0 ends the list: 5 is not the user's
        var served = new List<uint>();
        var cursor = 0;
        for (var r = 0; r < 12; r++)
        {
            var response = new uint[8];
            response[0] = 999; // a personal item in this response
            var n = Fill(picker, response, personal: 1, user: 3, cursor, own, out var next);
            Assert.Equal(8, n);
            served.AddRange(response[1..n]);
            cursor = next;
        }
        Assert.Equal(FallbackModel.Sequence(fallback, Dataset, 3, [3, 999, 17, 40], served.Count), served);
        Assert.DoesNotContain(17u, served);
        Assert.Contains(5u, served);
    }

    private static unsafe int Fill(FallbackPicker picker, Span<uint> response, int personal, uint user, int cursor, uint[] own, out ushort next)
    {
        fixed (uint* row = own)
            return picker.Fill(response, personal, picker.OrderOf(Dataset, user), cursor, new FeedRow((byte*)row, own.Length, sizeof(uint)), out next);
    }

    [Fact]
    public void A_request_larger_than_the_cycle_gets_each_item_once_and_the_cursor_comes_back()
    {
        var picker = new FallbackPicker([1, 2, 3]);
        var response = new uint[100];
        var n = picker.Fill(response, 0, picker.OrderOf(Dataset, 1), 2, default, out var next);
        Assert.Equal([1u, 2, 3], response[..n].Order().ToArray());
        Assert.Equal(2, next);
    }

    [Fact]
    public void A_cursor_past_the_cycle_counts_from_its_remainder()
    {
        var picker = new FallbackPicker(Range(1, 10));
        var order = picker.OrderOf(Dataset, 4);
        var response = new uint[1];
        picker.Fill(response, 0, order, 13, default, out var next);
        Assert.Equal(picker.ItemAt(order, 3), response[0]);
        Assert.Equal(4, next);
    }

    [Fact]
    public void A_list_longer_than_a_cursor_can_count_cycles_through_its_first_65536_positions()
    {
        var picker = new FallbackPicker(Range(1, FallbackPicker.MaxCycle + 1000));
        Assert.Equal(FallbackPicker.MaxCycle, picker.CycleLength);
        var response = new uint[100];
        var n = picker.Fill(response, 0, picker.OrderOf(Dataset, 8), FallbackPicker.MaxCycle - 50, default, out var next);
        Assert.Equal(100, n);
        Assert.Equal(50, next);
        Assert.Equal(100, response.Distinct().Count());
        Assert.Equal(picker.ItemAt(picker.OrderOf(Dataset, 8), 0), response[50]);
    }

    [Fact]
    public void Drops_zeros_and_repeats_from_the_stored_list()
    {
        var picker = new FallbackPicker([0, 5, 5, 0, 6]);
        Assert.Equal(2, picker.Count);
        Assert.Equal(-1, picker.IndexOf(0));
        Assert.Equal(1, picker.IndexOf(6));
        var response = new uint[4];
        Assert.Equal(2, picker.Fill(response, 0, picker.OrderOf(Dataset, 0), 0, default, out _));
        Assert.Equal([5u, 6], response[..2].Order().ToArray());
    }

    [Fact]
    public void An_empty_list_adds_nothing()
    {
        var picker = new FallbackPicker([]);
        Assert.Equal(1, picker.Fill(new uint[5], 1, picker.OrderOf(Dataset, 0), 0, default, out _));
        Assert.Equal(1, picker.FillAtRandom(new uint[5], 1, picker.OrderOf(Dataset, 0)));
    }

    [Fact]
    public void A_user_the_file_does_not_know_starts_at_a_random_place_of_their_cycle()
    {
        var picker = new FallbackPicker(Range(1, 50));
        var firsts = new HashSet<uint>();
        var response = new uint[5];
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(5, picker.FillAtRandom(response, 0, picker.OrderOf(Dataset, 4_000_000_000)));
            Assert.Equal(5, response.Distinct().Count());
            firsts.Add(response[0]);
        }
        Assert.True(firsts.Count > 20, $"only {firsts.Count} distinct first picks in 200 calls");
    }
}
