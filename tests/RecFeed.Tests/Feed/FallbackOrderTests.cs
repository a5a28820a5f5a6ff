using RecFeed.Feed;

namespace RecFeed.Tests.Feed;

/// <summary>The per-user order of a fallback list: a bijection, the same for a user every time, different between users.</summary>
public sealed class FallbackOrderTests
{
    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(10u)]
    [InlineData(97u)]
    [InlineData(360u)] // many factors: few strides are coprime
    [InlineData(1024u)]
    [InlineData(70_001u)] // longer than a cycle
    public void Every_users_order_is_a_permutation_and_PositionOf_inverts_it(uint n)
    {
        var strides = FallbackOrder.Strides(n);
        foreach (var user in new uint[] { 0, 1, 2, 77, 4_000_000_000 })
        {
            var order = FallbackOrder.For(0xD47A5E7, user, n, strides);
            var seen = new bool[n];
            var index = order.IndexAt(0);
            for (var p = 0u; p < n; p++)
            {
                Assert.Equal(index, order.IndexAt(p)); // Next steps exactly as IndexAt computes
                Assert.False(seen[index], $"n={n} user={user}: index {index} twice");
                seen[index] = true;
                Assert.Equal(p, order.PositionOf(index));
                index = order.Next(index);
            }
        }
    }

    [Fact]
    public void Users_start_at_different_items_and_walk_with_different_strides()
    {
        var strides = FallbackOrder.Strides(100);
        var orders = Enumerable.Range(0, 1_000).Select(u => FallbackOrder.For(42, (uint)u, 100, strides)).ToArray();
        Assert.True(orders.Select(o => o.Offset).Distinct().Count() >= 90, "first items cluster");
        Assert.True(orders.Select(o => o.Stride).Distinct().Count() >= 20, "strides cluster");
        var sequences = orders.Select(o => string.Join(',', Enumerable.Range(0, 5).Select(p => o.IndexAt((uint)p)))).Distinct().Count();
        Assert.True(sequences >= 800, $"only {sequences} distinct first-five sequences among 1000 users"); // 100 offsets × 40 strides: ~885 expected
    }

    [Fact]
    public void An_order_depends_only_on_the_user_the_dataset_and_the_list()
    {
        uint[] list = [.. Enumerable.Range(1, 500).Select(i => (uint)i * 3)];
        var a = new FallbackPicker(list);
        var b = new FallbackPicker(list);
        uint[] Walk(FallbackPicker picker, ulong dataset, uint user) =>
            [.. Enumerable.Range(0, picker.CycleLength).Select(p => picker.ItemAt(picker.OrderOf(dataset, user), p))];
        Assert.Equal(Walk(a, 9, 123), Walk(b, 9, 123));
        Assert.NotEqual(Walk(a, 9, 123), Walk(a, 10, 123)); // a new dataset shuffles anew
        Assert.NotEqual(Walk(a, 9, 123), Walk(a, 9, 124));
        Assert.Equal(list.Order(), Walk(a, 9, 123).Order());
    }
}
