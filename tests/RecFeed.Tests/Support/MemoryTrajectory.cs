namespace RecFeed.Tests.Support;

/// <summary>
/// Judges a leak by resident memory sampled after each round of the same work, not by a return to a baseline: the
/// GC and Kestrel's pools keep what they grew to and give it back only when they choose, so "back near the start"
/// depends on the machine, while a leak shows as growth that goes on round after round.
/// </summary>
public static class MemoryTrajectory
{
    /// <summary>
    /// The growth from the first half of the rounds to the second: the highest sample of the later half less the
    /// highest of the earlier half (the first round left out, as it still fills pools). A flat or sawtooth trajectory
    /// gives about 0; a leak of L bytes a round gives about L × rounds / 2.
    /// </summary>
    public static long Growth(IReadOnlyList<long> samples)
    {
        if (samples.Count < 5)
            throw new ArgumentException("at least 5 rounds are needed to tell a trend from noise", nameof(samples));
        var settled = samples.Skip(1).ToArray();
        var half = settled.Length / 2;
        return settled[^half..].Max() - settled[..half].Max();
    }
}
