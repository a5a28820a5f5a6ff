using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>
/// Lock-free counters striped by processor: each core mostly adds to its own cache lines, so counting on the request
/// path costs an uncontended atomic add instead of a line bouncing between cores. Reads sum the stripes. Used by the
/// request counters, the request-duration histogram and the reader count of a feed generation.
/// </summary>
public sealed class StripedCounters
{
    private const int Stripes = 16;
    private const int LineLongs = 16; // 128 bytes: adjacent stripes never share a line or an adjacent-line prefetch pair

    private readonly int _stride;
    private readonly long[] _slots;

    public StripedCounters(int counters = LineLongs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(counters, 1);
        _stride = (counters + LineLongs - 1) / LineLongs * LineLongs;
        _slots = new long[(Stripes + 1) * _stride]; // stripe 0 is padding: nothing else shares the first stripe's lines
    }

    /// <summary>The slot of <paramref name="counter"/> on the calling thread's processor; pass it to <see cref="Add"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Slot(int counter) => _stride + ((Thread.GetCurrentProcessorId() & (Stripes - 1)) * _stride) + counter;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int slot, long value) => Interlocked.Add(ref _slots[slot], value);

    public long Sum(int counter)
    {
        long sum = 0;
        for (var stripe = 1; stripe <= Stripes; stripe++)
            sum += Volatile.Read(ref _slots[stripe * _stride + counter]);
        return sum;
    }
}
