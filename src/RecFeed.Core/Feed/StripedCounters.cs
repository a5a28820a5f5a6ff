using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>
/// Lock-free counters striped by thread: each thread adds to its own cache lines (a stripe given out in turn at its
/// first count), so counting on the request path costs an uncontended atomic add instead of a line bouncing between
/// cores. Reads sum the stripes. By thread rather than by processor: the processor's number costs a sched_getcpu call
/// in the native binary, three times a request, where a thread static is a few instructions; each loop is one thread,
/// and two pool threads that share one of the 16 stripes contend only while both run. Used by the request counters,
/// the request-duration histogram and the reader count of a feed generation.
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

    // 1 to Stripes once given; 0 on a thread that has not counted yet.
    [ThreadStatic]
    private static int s_stripe;
    private static int s_lastStripe;

    /// <summary>The slot of <paramref name="counter"/> in the calling thread's stripe; pass it to <see cref="Add"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Slot(int counter) => ((s_stripe is var stripe and not 0 ? stripe : GiveStripe()) * _stride) + counter;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int GiveStripe() => s_stripe = (Interlocked.Increment(ref s_lastStripe) & (Stripes - 1)) + 1;

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
