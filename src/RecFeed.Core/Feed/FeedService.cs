using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using RecFeed.Positions;
using RecFeed.Slab;

namespace RecFeed.Feed;

/// <summary>
/// The business rule: a user's next unseen personal items in stored order, claimed atomically, then the next items
/// of their own fallback cycle (no repeats until the cycle ends, none of their own items) to fill the requested size.
/// Serves from the current <see cref="FeedGeneration"/>, which a reload swaps by reference; owns every generation it
/// has served and frees each one once its last reader is out. Counts what it serves into the
/// <see cref="FeedCounters"/> it is given; the request's outcome is the caller's to count.
/// </summary>
public sealed class FeedService : IDisposable
{
    public const int DefaultSize = 10;

    private readonly Lock _swapLock = new();
    private volatile FeedGeneration _current;
    private volatile bool _disposed;
    private readonly FeedCounters _counters;

    public FeedService(FeedSlab slab, FeedCounters counters)
    {
        _current = new FeedGeneration(slab, new PositionTable(slab.UserCount));
        _counters = counters;
    }

    /// <summary>
    /// The generation requests start on now. Its native memory is safe to read only while entered or under
    /// <see cref="WithStableGeneration"/>.
    /// </summary>
    public FeedGeneration Current => _current;

    public FeedSlab Slab => _current.Slab;

    /// <summary>Largest size a request may ask for: one user's whole row.</summary>
    public int MaxSize => _current.ItemsPerUser;

    /// <summary>The size of a request that names none.</summary>
    public int DefaultRequestSize => DefaultSizeFor(MaxSize);

    /// <summary>The size of a request that names none, for rows of <paramref name="maxSize"/> items.</summary>
    public static int DefaultSizeFor(int maxSize) => Math.Min(DefaultSize, maxSize);

    /// <summary>Fills <paramref name="response"/> (its length is the requested size) and says how many items it holds.</summary>
    public FeedOutcome Serve(uint userId, Span<uint> response, out int count)
    {
        var generation = Enter(out var token);
        try
        {
            return Serve(generation, userId, response, out count);
        }
        finally
        {
            generation.Gate.Exit(token);
        }
    }

    private FeedGeneration Enter(out int token)
    {
        while (true)
        {
            // A closed gate means a reload retired this one after we read it: the next read sees its successor.
            var generation = _current;
            if (generation.Gate.TryEnter(out token))
                return generation;
            if (_disposed)
                ThrowDisposed();
        }
    }

    private FeedOutcome Serve(FeedGeneration generation, uint userId, Span<uint> response, out int count)
    {
        count = 0;
        var user = (ulong)userId;
        var shard = generation.Shard;
        if (shard.Count != 1) // a whole file skips the two divisions
        {
            if (!shard.Owns(user))
                return FeedOutcome.Misdirected;
            user = shard.LocalRow(user);
        }

        var known = user < generation.Slab.UserCount;
        var personal = 0;
        if (known)
        {
            if (generation.Overlay is { } overlay && overlay.Lists(user))
                return ServeListed(generation, overlay, userId, user, response, out count);
            var positions = generation.Positions;
            personal = ClaimPersonal(generation.Slab.Row(user), positions, user, response);
            count = personal == response.Length ? personal : ClaimFallback(generation, userId, generation.Slab.Row(user), positions, user, response, personal);
        }
        else
        {
            count = generation.Fallback.FillAtRandom(response, 0, generation.Fallback.OrderOf(generation.DatasetId, userId));
        }
        return Count(count, personal, known);
    }

    private FeedOutcome Count(int count, int personal, bool known)
    {
        if (count == 0)
            return FeedOutcome.Unavailable;
        if (personal > 0)
            _counters.Add(FeedCounter.PersonalItems, personal);
        if (count > personal)
            _counters.Add(FeedCounter.FallbackItems, count - personal);
        return known ? FeedOutcome.Served : FeedOutcome.UnknownUser;
    }

    /// <summary>A user a delta lists: the same rule on the delta's row, with the delta's own position and cursor for them.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private FeedOutcome ServeListed(FeedGeneration generation, FeedOverlay overlay, uint userId, ulong user, Span<uint> response, out int count)
    {
        var delta = overlay.Find(user, out var slot);
        var personal = ClaimPersonal(delta.Slab.Row(slot), delta.Positions, slot, response);
        count = personal == response.Length ? personal : ClaimFallback(generation, userId, delta.Slab.Row(slot), delta.Positions, slot, response, personal);
        return Count(count, personal, known: true);
    }

    /// <summary>Atomically takes up to response.Length next items; the personal list ends at the row's end or its first 0.</summary>
    /// <param name="slot">The user's slot in <paramref name="positions"/>: their local row, or their row in a delta.</param>
    private int ClaimPersonal(FeedRow row, PositionTable positions, ulong slot, Span<uint> response)
    {
        while (true)
        {
            // Copied before the claim: rows never change, and a lost race only means copying again.
            var position = positions.Read(slot);
            var available = response[..row.CopyTo(position, response)];
            var take = available.IndexOf(0u);
            if (take < 0)
                take = available.Length;
            if (take == 0)
                return 0;
            var next = position + take;
            if (!positions.TryAdvance(slot, position, (ushort)next))
                continue;
            if (next == row.Length || row[next] == 0)
                _counters.Add(FeedCounter.ExhaustedUsers);
            return take;
        }
    }

    /// <summary>
    /// Tops the response up from the user's fallback cycle and moves their cursor past what it walked, atomically: a
    /// request that loses the race to another one for the same user walks again from where that one stopped, so
    /// racing requests get disjoint stretches of the cycle. The user's list is exhausted here (or the response would
    /// be full), so skipping its whole row is skipping exactly what was served from it.
    /// </summary>
    private static int ClaimFallback(FeedGeneration generation, uint userId, FeedRow row, PositionTable positions, ulong slot,
        Span<uint> response, int personal)
    {
        var fallback = generation.Fallback;
        if (fallback.Count == 0)
            return personal;
        var order = fallback.OrderOf(generation.DatasetId, userId);
        while (true)
        {
            var cursor = positions.ReadCursor(slot);
            var filled = fallback.Fill(response, personal, order, cursor, row, out var next);
            if (filled == personal || positions.TryAdvanceCursor(slot, cursor, next))
                return filled;
        }
    }

    /// <summary>
    /// Makes <paramref name="slab"/> with <paramref name="deltas"/> over it the data every new request reads, then
    /// waits for requests still on the old generation and frees what the new one does not share. Read positions carry
    /// over when the new file is the same dataset (same id, users and row length; the same slab when only deltas are
    /// added) and start from zero otherwise; each delta brings its own positions (<see cref="AppliedDelta"/>). Swaps
    /// are serialised with each other and with <see cref="WithStableGeneration"/>; requests never wait.
    /// </summary>
    /// <returns>Whether the read positions were kept.</returns>
    public bool Swap(FeedSlab slab, IReadOnlyList<AppliedDelta>? deltas = null)
    {
        lock (_swapLock)
        {
            var old = _current;
            var keep = old.SameDataset(slab.Header);
            var overlay = deltas is { Count: > 0 } ? new FeedOverlay(slab.UserCount, deltas) : null;
            var next = new FeedGeneration(slab, keep ? old.Positions : new PositionTable(slab.UserCount), overlay);
            if (!keep)
                next.Positions.MarkChanged(); // the state file must follow the new dataset even before anyone reads
            foreach (var delta in next.Deltas)
                if (!old.Deltas.Contains(delta))
                    delta.Positions.MarkChanged(); // so the delta state file records that it was applied
            _current = next;
            old.Gate.CloseAndDrain();
            old.Free(next);
            return keep;
        }
    }

    /// <summary>Runs <paramref name="action"/> on the current generation with no swap in between, so its memory stays valid throughout.</summary>
    public T WithStableGeneration<T>(Func<FeedGeneration, T> action)
    {
        lock (_swapLock)
            return action(_current);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(FeedService));

    public void Dispose()
    {
        lock (_swapLock)
        {
            _disposed = true;
            var last = _current;
            last.Gate.CloseAndDrain();
            last.Free(null);
        }
    }
}
