using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>
/// Tells when nobody can still be reading a retired <see cref="FeedGeneration"/>, so its native memory can be freed.
/// Readers count themselves in on per-processor stripes (no shared cache line on the request path) and hand the
/// stripe back on exit. Entering increments first and then checks <see cref="Close"/>; closing sets the flag first
/// and then sums the stripes. Both sides put a full fence between their write and their read, so either the reader
/// sees the gate closed and backs off, or the closer sees the reader's count: no reader is ever missed.
/// </summary>
public sealed class ReaderGate
{
    private const int Stripes = 16;
    private const int Stride = 16; // longs: 128 bytes a stripe, as in FeedCounters

    private readonly long[] _slots = new long[(Stripes + 1) * Stride];
    private volatile bool _closed;

    /// <summary>Counts a reader in unless the gate is closed; <paramref name="token"/> goes back to <see cref="Exit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter(out int token)
    {
        token = Stride + ((Thread.GetCurrentProcessorId() & (Stripes - 1)) * Stride);
        Interlocked.Increment(ref _slots[token]);
        if (!_closed)
            return true;
        Interlocked.Decrement(ref _slots[token]);
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit(int token) => Interlocked.Decrement(ref _slots[token]);

    /// <summary>No reader enters after this returns; those already in are counted by <see cref="Readers"/>.</summary>
    public void Close()
    {
        _closed = true;
        Interlocked.MemoryBarrier();
    }

    public bool IsClosed => _closed;

    /// <summary>
    /// Readers inside, plus late ones briefly backing off. Each stripe only counts readers that entered on it, so
    /// once the gate is closed a stripe read as 0 has no reader left and gets none: a sum of 0 means drained.
    /// </summary>
    public long Readers
    {
        get
        {
            long sum = 0;
            for (var stripe = 1; stripe <= Stripes; stripe++)
                sum += Volatile.Read(ref _slots[stripe * Stride]);
            return sum;
        }
    }

    /// <summary>Closes the gate and waits until the last reader is out. Readers hold it for one request's copy, microseconds.</summary>
    public void CloseAndDrain()
    {
        Close();
        var spinner = new SpinWait();
        while (Readers != 0)
            spinner.SpinOnce(sleep1Threshold: 20);
    }
}
