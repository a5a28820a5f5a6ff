using RecFeed.Tests.Support;

namespace RecFeed.Tests.Hardening;

public sealed class MemoryTrajectoryTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void A_flat_trajectory_above_the_warm_up_baseline_is_no_growth()
    {
        // The fresh machine's fuzz run: 33 MiB after warm-up, then pools settle at 46-48 MiB and stay.
        long[] rounds = [46, 48, 48, 48, 48, 48, 48, 48, 48];
        Assert.Equal(0, MemoryTrajectory.Growth([.. rounds.Select(r => r * MiB)]));
    }

    [Fact]
    public void A_sawtooth_from_garbage_collections_is_no_growth()
    {
        long[] rounds = [40, 47, 43, 48, 42, 47, 44, 48, 43];
        Assert.True(MemoryTrajectory.Growth([.. rounds.Select(r => r * MiB)]) <= 1 * MiB);
    }

    [Fact]
    public void A_steady_leak_is_growth_of_about_half_the_rounds_times_the_leak()
    {
        // 1 KiB per request over 2,000 requests a round: 2 MiB more every round.
        var rounds = Enumerable.Range(0, 9).Select(r => (40 + 2L * r) * MiB).ToArray();
        Assert.Equal(8 * MiB, MemoryTrajectory.Growth(rounds));
    }

    [Fact]
    public void Too_few_rounds_cannot_be_judged() =>
        Assert.Throws<ArgumentException>(() => MemoryTrajectory.Growth([1, 2, 3, 4]));
}
