using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>
/// Tells when nobody can still be reading a retired <see cref="FeedGeneration"/>, so its native memory can be freed.
/// Readers count themselves in on per-processor stripes (no shared cache line on the request path) and hand the
/// stripe back on exit. Entering increments first and then checks the flag; closing sets the flag first
/// and then sums the stripes. Both sides put a full fence between their write and their read, so either the reader
/// sees the gate closed and backs off, or the closer sees the reader's count: no reader is ever missed.
/// </summary>
public sealed class ReaderGate
{
    private readonly StripedCounters _readers = new();
    private volatile bool _closed;

    /// <summary>Counts a reader in unless the gate is closed; <paramref name="token"/> goes back to <see cref="Exit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter(out int token)
    {
        token = _readers.Slot(0);
        _readers.Add(token, 1);
        if (!_closed)
            return true;
        _readers.Add(token, -1);
        return false;
    }

    /// <summary>Counts the reader out on the stripe it came in on, wherever the thread runs now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit(int token) => _readers.Add(token, -1);

    public bool IsClosed => _closed;

    /// <summary>Readers inside, plus late ones briefly backing off from a closed gate.</summary>
    public long Readers => _readers.Sum(0);

    /// <summary>
    /// Closes the gate and waits until the last reader is out. Readers hold it for one request's copy, microseconds.
    /// Each stripe only counts readers that entered on it, so once the gate is closed a stripe read as 0 has no
    /// reader left and gets none: a sum of 0 means drained (late readers briefly backing off are counted too).
    /// </summary>
    public void CloseAndDrain()
    {
        _closed = true;
        Interlocked.MemoryBarrier();
        var spinner = new SpinWait();
        while (Readers != 0)
            spinner.SpinOnce(sleep1Threshold: 20);
    }
}
