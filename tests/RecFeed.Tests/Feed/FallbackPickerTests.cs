using RecFeed.Feed;

namespace RecFeed.Tests.Feed;

public sealed class FallbackPickerTests
{
    [Fact]
    public void Fills_with_distinct_items_none_equal_to_the_personal_ones()
    {
        var picker = new FallbackPicker([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        for (var trial = 0; trial < 200; trial++)
        {
            uint[] response = [3, 7, 0, 0, 0, 0, 0, 0];
            Assert.Equal(8, picker.Fill(response, personal: 2));
            Assert.Equal(8, response.Distinct().Count());
            Assert.All(response, id => Assert.InRange(id, 1u, 10u));
        }
    }

    [Fact]
    public void Stops_after_one_pass_when_the_list_cannot_fill_the_request()
    {
        var picker = new FallbackPicker([1, 2, 3]);
        var response = new uint[100];
        response[0] = 2;
        Assert.Equal(3, picker.Fill(response, personal: 1));
        Assert.Equal([1u, 2, 3], response[..3].Order().ToArray());
    }

    [Fact]
    public void Drops_zeros_and_repeats_from_the_stored_list()
    {
        var picker = new FallbackPicker([0, 5, 5, 0, 6]);
        Assert.Equal(2, picker.Count);
        var response = new uint[4];
        Assert.Equal(2, picker.Fill(response, 0));
        Assert.Equal([5u, 6], response[..2].Order().ToArray());
    }

    [Fact]
    public void An_empty_list_adds_nothing()
    {
        Assert.Equal(1, new FallbackPicker([]).Fill(new uint[5], personal: 1));
    }

    [Fact]
    public void Picks_vary_between_calls()
    {
        var picker = new FallbackPicker([.. Enumerable.Range(1, 50).Select(i => (uint)i)]);
        var firsts = new HashSet<uint>();
        var response = new uint[5];
        for (var i = 0; i < 200; i++)
        {
            picker.Fill(response, 0);
            firsts.Add(response[0]);
        }
        Assert.True(firsts.Count > 20, $"only {firsts.Count} distinct first picks in 200 calls");
    }
}
