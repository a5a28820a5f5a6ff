namespace RecFeed.Synthetic;

/// <summary>A tiny, fast, well-mixed PRNG whose whole state is one ulong, so every user gets its own stream.</summary>
internal struct SplitMix64(ulong state)
{
    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [1, max] without modulo bias (Lemire's multiply-and-reject).</summary>
    public uint NextItem(uint max)
    {
        while (true)
        {
            var product = (ulong)(uint)Next() * max;
            var low = (uint)product;
            if (low >= max || low >= (uint)(-(int)max) % max)
                return (uint)(product >> 32) + 1;
        }
    }

    public static ulong Mix(ulong seed, ulong stream) => new SplitMix64(seed ^ (stream * 0xD6E8FEB86659FD93)).Next();
}
