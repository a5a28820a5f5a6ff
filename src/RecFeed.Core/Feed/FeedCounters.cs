using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>
/// Lock-free request counters striped by processor: each core mostly increments its own cache line, so counting
/// costs an uncontended atomic add instead of a line bouncing between cores. Reads sum the stripes.
/// </summary>
public sealed class FeedCounters
{
    private const int Stripes = 16;
    private const int Stride = 16; // longs: 128 bytes, so adjacent stripes never share a line or an adjacent-line prefetch pair

    private readonly long[] _slots = new long[(Stripes + 1) * Stride];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(FeedCounter counter, long value = 1) =>
        Interlocked.Add(ref _slots[Stride + ((Thread.GetCurrentProcessorId() & (Stripes - 1)) * Stride) + (int)counter], value);

    public long this[FeedCounter counter]
    {
        get
        {
            long sum = 0;
            for (var stripe = 1; stripe <= Stripes; stripe++)
                sum += Volatile.Read(ref _slots[stripe * Stride + (int)counter]);
            return sum;
        }
    }
}
