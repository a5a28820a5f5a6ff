using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>
/// One user's order of the fallback list: position p of their cycle is fallback index (Stride × p + Offset) mod N, an
/// affine permutation of 0..N-1 (Stride is coprime to N), so a cycle names every index once. Derived from the user
/// id and the dataset id alone (docs/operations.md gives the formula), so a test, a restart and a replica all
/// compute the same order, and two users rarely share one: h = Mix(DatasetId ^ Mix(userId)) with Mix the SplitMix64
/// finaliser, Offset = (h &gt;&gt; 32) × N &gt;&gt; 32, Stride = the table's entry h mod <see cref="StrideCount"/>.
/// </summary>
public readonly struct FallbackOrder
{
    /// <summary>Strides a list offers: entry k is the first stride coprime to N from (2k + 1) × N / 512 on.</summary>
    public const int StrideCount = 256;

    private readonly uint _n;
    private readonly uint _stride;
    private readonly uint _inverse;

    private FallbackOrder(uint n, uint stride, uint inverse, uint offset)
    {
        _n = n;
        _stride = stride;
        _inverse = inverse;
        Offset = offset;
    }

    /// <summary>The fallback index at position 0.</summary>
    public uint Offset { get; }

    public uint Stride => _stride;

    /// <summary>The order of <paramref name="userId"/> over a list of <paramref name="strides"/>' length (see <see cref="Strides"/>).</summary>
    public static FallbackOrder For(ulong datasetId, uint userId, uint n, ReadOnlySpan<ulong> strides)
    {
        if (n == 0)
            return default;
        var h = Mix(datasetId ^ Mix(userId));
        var entry = strides[(int)(h % StrideCount)];
        return new FallbackOrder(n, (uint)entry, (uint)(entry >> 32), (uint)((h >> 32) * n >> 32));
    }

    /// <summary>Fallback index at cycle position <paramref name="position"/> (below N).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint IndexAt(uint position) => (uint)(((ulong)_stride * position + Offset) % _n);

    /// <summary>The cycle position of fallback index <paramref name="index"/> (below N): the inverse of <see cref="IndexAt"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint PositionOf(uint index)
    {
        var shifted = index >= Offset ? index - Offset : index + _n - Offset;
        return (uint)((ulong)shifted * _inverse % _n);
    }

    /// <summary>Steps an index from one position to the next.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Next(uint index)
    {
        var next = index + _stride;
        return next >= _n ? next - _n : next;
    }

    /// <summary>The <see cref="StrideCount"/> strides for a list of <paramref name="n"/> items, each with its inverse mod n in the high half.</summary>
    public static ulong[] Strides(uint n)
    {
        var strides = new ulong[StrideCount];
        for (var k = 0; k < StrideCount; k++)
        {
            var stride = (uint)Math.Max(1, (2UL * (ulong)k + 1) * n / (2 * StrideCount));
            while (n > 1 && Gcd(stride, n) != 1)
                stride++; // ends by n - 1 at the latest, always coprime to n
            var s = n <= 1 ? 0 : stride;
            strides[k] = s | (ulong)Inverse(s, n) << 32;
        }
        return strides;
    }

    /// <summary>SplitMix64's finaliser: every bit of the input moves about half of the output's.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static uint Gcd(uint a, uint b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }

    /// <summary>x with a × x = 1 mod n (extended Euclid); 0 for n ≤ 1, where every index is 0.</summary>
    private static uint Inverse(uint a, uint n)
    {
        if (n <= 1)
            return 0;
        long t = 0, next = 1, r = n, rNext = a;
        while (rNext != 0)
        {
            var q = r / rNext;
            (t, next) = (next, t - q * next);
            (r, rNext) = (rNext, r - q * rNext);
        }
        return (uint)(t < 0 ? t + n : t);
    }
}
