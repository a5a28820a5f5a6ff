using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>
/// Up to <see cref="MaxCounters"/> lock-free counters striped by processor: each core mostly adds to its own cache
/// line, so counting on the request path costs an uncontended atomic add instead of a line bouncing between cores.
/// Reads sum the stripes. Used by the request counters and by the reader count of a feed generation.
/// </summary>
public sealed class StripedCounters
{
    public const int MaxCounters = 16;

    private const int Stripes = 16;
    private const int Stride = MaxCounters; // longs: 128 bytes, so adjacent stripes never share a line or an adjacent-line prefetch pair

    private readonly long[] _slots = new long[(Stripes + 1) * Stride];

    /// <summary>The slot of <paramref name="counter"/> on the calling thread's processor; pass it to <see cref="Add"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Slot(int counter) => Stride + ((Thread.GetCurrentProcessorId() & (Stripes - 1)) * Stride) + counter;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int slot, long value) => Interlocked.Add(ref _slots[slot], value);

    public long Sum(int counter)
    {
        long sum = 0;
        for (var stripe = 1; stripe <= Stripes; stripe++)
            sum += Volatile.Read(ref _slots[stripe * Stride + counter]);
        return sum;
    }
}
