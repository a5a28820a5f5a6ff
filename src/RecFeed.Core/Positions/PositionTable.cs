using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecFeed.Positions;

/// <summary>
/// Every user's read position and fallback cursor as two unmanaged ushort arrays (2 + 2 bytes a user, no managed
/// object per user). Positions only move forward and only through <see cref="TryAdvance"/>, a 16-bit
/// compare-and-swap, so racing requests for one user get disjoint slices. A cursor (where the user is in their
/// fallback cycle) moves only through <see cref="TryAdvanceCursor"/>, the same CAS on the second array; it wraps at
/// the cycle's end, and an ABA there is harmless: what a request serves is a function of the cursor's value alone
/// (and of rows and a fallback list that never change), so a CAS that finds the value it read is exactly a serial
/// step from that value. Two separate arrays, not one 32-bit word: the personal claim stays a 16-bit CAS on a dense
/// array, its snapshot layout is unchanged, and a response claims personal items and fallback items in two steps
/// that are each atomic; nothing links the two (the fallback skips the user's whole list, served or not).
/// Both are grouped in chunks of <see cref="ChunkUsers"/> users, each with one "changed" byte, so a snapshot writes
/// only the chunks that moved; and each user has an "unsent" bit, so the position sync (<c>Sync/</c>) sends only
/// the users whose position moved (cursors stay per replica).
/// </summary>
public sealed unsafe class PositionTable : IDisposable
{
    /// <summary>Users per chunk: 128 bytes of positions, so a snapshot of a few scattered users stays small, and a
    /// change map of one byte per chunk (1/128 of the positions) that a snapshot scans in microseconds.</summary>
    public const int ChunkUsers = 64;
    private const int ChunkShift = 6;

    private ushort* _positions;
    private ushort* _cursors;

    /// <summary>Per chunk, 1 once a position in it moved since the snapshot took it; read before written, so the line
    /// stays shared between cores and only the first advance in a chunk after a snapshot writes it.</summary>
    private byte* _changed;

    /// <summary>
    /// One bit a user, set once a request moved them since the sync last took their word (1/16 of the positions).
    /// Read before the locked OR, as <see cref="_changed"/>: a user who reads ten times between two syncs writes the
    /// word once, and with no sync running every bit stays set and requests only read it.
    /// </summary>
    private ulong* _unsent;

    public PositionTable(ulong length)
    {
        Length = length;
        ChunkCount = (int)((length + ChunkUsers - 1) >> ChunkShift);
        UnsentWordCount = (int)((length + 63) >> 6);
        _positions = (ushort*)NativeMemory.AllocZeroed((nuint)Math.Max(length, 1), sizeof(ushort));
        _cursors = (ushort*)NativeMemory.AllocZeroed((nuint)Math.Max(length, 1), sizeof(ushort));
        _changed = (byte*)NativeMemory.AllocZeroed((nuint)Math.Max(ChunkCount, 1));
        _unsent = (ulong*)NativeMemory.AllocZeroed((nuint)Math.Max(UnsentWordCount, 1), sizeof(ulong));
    }

    public ulong Length { get; }

    /// <summary>Positions and cursors.</summary>
    public ulong Bytes => Length * 2 * sizeof(ushort);

    /// <summary>Every native byte this table allocated: positions, cursors, the change map and the unsent bits.</summary>
    public ulong AllocatedBytes =>
        Math.Max(Length, 1) * 2 * sizeof(ushort) + (ulong)Math.Max(ChunkCount, 1) + (ulong)Math.Max(UnsentWordCount, 1) * sizeof(ulong);

    public int ChunkCount { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort Read(ulong user) => Volatile.Read(ref _positions[user]);

    /// <summary>Moves <paramref name="user"/> from <paramref name="expected"/> to <paramref name="next"/> unless another request moved it first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAdvance(ulong user, ushort expected, ushort next) => TryMove(_positions, user, expected, next);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort ReadCursor(ulong user) => Volatile.Read(ref _cursors[user]);

    /// <summary>Moves <paramref name="user"/>'s fallback cursor from <paramref name="expected"/> to
    /// <paramref name="next"/> unless another request moved it first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAdvanceCursor(ulong user, ushort expected, ushort next) => TryMove(_cursors, user, expected, next);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryMove(ushort* values, ulong user, ushort expected, ushort next)
    {
        if (Interlocked.CompareExchange(ref values[user], next, expected) != expected)
            return false;
        ref var changed = ref _changed[user >> ChunkShift];
        if (Volatile.Read(ref changed) == 0)
            Volatile.Write(ref changed, 1);
        ref var unsent = ref _unsent[user >> 6];
        var bit = 1UL << (int)(user & 63);
        if ((Volatile.Read(ref unsent) & bit) == 0)
            Interlocked.Or(ref unsent, bit);
        return true;
    }

    /// <summary>
    /// Moves <paramref name="user"/> forward to <paramref name="position"/> unless they are there or further already
    /// (a compare-and-swap max, so it races safely with requests): a peer's position taken in by the sync. Marks the
    /// chunk changed for the state file, not the user unsent: the peer's store has it already.
    /// </summary>
    /// <returns>Whether the position moved.</returns>
    public bool AdvanceTo(ulong user, ushort position)
    {
        ref var slot = ref _positions[user];
        for (var seen = Volatile.Read(ref slot); seen < position; seen = Volatile.Read(ref slot))
        {
            if (Interlocked.CompareExchange(ref slot, position, seen) != seen)
                continue;
            Volatile.Write(ref _changed[user >> ChunkShift], 1);
            return true;
        }
        return false;
    }

    /// <summary>Words of 64 "unsent" bits (users 64w..64w+63), for the sync to find the users who moved.</summary>
    public int UnsentWordCount { get; }

    /// <summary>The "unsent" words, for the sync to skip the zero ones fast.</summary>
    public ReadOnlySpan<ulong> UnsentWords => new(_unsent, UnsentWordCount);

    /// <summary>
    /// Clears word <paramref name="word"/> and returns the bits it held, before the sync reads those users' positions.
    /// The exchange is a full fence, as the CAS in <see cref="TryAdvance"/>: an advance either lands in the read that
    /// follows or sets its bit again for the next round.
    /// </summary>
    public ulong TakeUnsent(int word) => Interlocked.Exchange(ref _unsent[word], 0);

    /// <summary>Marks <paramref name="user"/> unsent: a send that failed, or a position the peers' store is behind on.</summary>
    public void MarkUnsent(ulong user) => Interlocked.Or(ref _unsent[user >> 6], 1UL << (int)(user & 63));

    /// <summary>The chunks' "changed" bytes, for a snapshot to find the ones that moved.</summary>
    public ReadOnlySpan<byte> ChangedChunks => new(_changed, ChunkCount);

    /// <summary>
    /// Resets the "changed" byte of each chunk in <paramref name="chunks"/> before a snapshot copies them. The fence
    /// pairs with the CAS in <see cref="TryAdvance"/> (also a full fence): an advance either lands in the copy that
    /// follows or finds its byte reset and sets it again for the next snapshot.
    /// </summary>
    public void TakeChanged(ReadOnlySpan<int> chunks)
    {
        foreach (var chunk in chunks)
            _changed[chunk] = 0;
        Interlocked.MemoryBarrier();
    }

    /// <summary>As <see cref="TakeChanged(ReadOnlySpan{int})"/> for every chunk, before a full copy.</summary>
    public void TakeAllChanged()
    {
        new Span<byte>(_changed, ChunkCount).Clear();
        Interlocked.MemoryBarrier();
    }

    /// <summary>Marks chunks changed again after a snapshot of them failed, so the next one retries.</summary>
    public void MarkChanged(ReadOnlySpan<int> chunks)
    {
        foreach (var chunk in chunks)
            Volatile.Write(ref _changed[chunk], 1);
    }

    /// <summary>Marks every chunk changed: a new dataset, or a full snapshot that failed.</summary>
    public void MarkChanged() => new Span<byte>(_changed, ChunkCount).Fill(1);

    /// <summary>Users in <paramref name="chunk"/>: <see cref="ChunkUsers"/>, fewer in the last one.</summary>
    public int ChunkLength(int chunk) => (int)Math.Min(ChunkUsers, Length - ((ulong)chunk << ChunkShift));

    /// <summary>The positions of <paramref name="chunk"/>, over the live array (see <see cref="Slice"/>).</summary>
    public Span<ushort> Chunk(int chunk) => Slice((ulong)chunk << ChunkShift, ChunkLength(chunk));

    /// <summary>The fallback cursors of <paramref name="chunk"/>, over the live array.</summary>
    public Span<ushort> CursorChunk(int chunk) => CursorSlice((ulong)chunk << ChunkShift, ChunkLength(chunk));

    /// <summary>
    /// Positions <paramref name="start"/>.. as a span over the live array. Writers keep advancing meanwhile; as
    /// positions only grow and each is an aligned 2-byte value, a copy taken from it is a valid snapshot that is at
    /// most as far as the live state. Writing through it is for loading before serving starts.
    /// </summary>
    public Span<ushort> Slice(ulong start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (ulong)count, Length);
        return new Span<ushort>(_positions + start, count);
    }

    /// <summary>
    /// Fallback cursors <paramref name="start"/>.., as <see cref="Slice"/>. Cursors wrap, so a copy taken during
    /// traffic holds, per user, a value the cursor had at some moment during the copy: each is an aligned 2-byte value.
    /// </summary>
    public Span<ushort> CursorSlice(ulong start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (ulong)count, Length);
        return new Span<ushort>(_cursors + start, count);
    }

    public void Dispose()
    {
        var p = _positions;
        _positions = null;
        if (p != null)
            NativeMemory.Free(p);
        var f = _cursors;
        _cursors = null;
        if (f != null)
            NativeMemory.Free(f);
        var c = _changed;
        _changed = null;
        if (c != null)
            NativeMemory.Free(c);
        var u = _unsent;
        _unsent = null;
        if (u != null)
            NativeMemory.Free(u);
    }
}
