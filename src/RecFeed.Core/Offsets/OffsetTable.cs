using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecFeed.Offsets;

/// <summary>
/// Every user's read position as one unmanaged ushort array (2 bytes a user, no managed object per user).
/// Positions only move forward and only through <see cref="TryAdvance"/>, a 16-bit compare-and-swap, so racing
/// requests for one user get disjoint slices.
/// </summary>
public sealed unsafe class OffsetTable : IDisposable
{
    private ushort* _positions;

    /// <summary>1 once a position moved since the last <see cref="TakeChanged"/>; read before written, so the line
    /// stays shared between cores and only the first advance after a snapshot writes it.</summary>
    private int _changed;

    public OffsetTable(ulong length)
    {
        Length = length;
        _positions = (ushort*)NativeMemory.AllocZeroed((nuint)Math.Max(length, 1), sizeof(ushort));
    }

    public ulong Length { get; }

    public ulong Bytes => Length * sizeof(ushort);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort Read(ulong user) => Volatile.Read(ref _positions[user]);

    /// <summary>Moves <paramref name="user"/> from <paramref name="expected"/> to <paramref name="next"/> unless another request moved it first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAdvance(ulong user, ushort expected, ushort next)
    {
        if (Interlocked.CompareExchange(ref _positions[user], next, expected) != expected)
            return false;
        if (Volatile.Read(ref _changed) == 0)
            Volatile.Write(ref _changed, 1);
        return true;
    }

    /// <summary>
    /// Whether any position moved since the last call, and resets that. Reset before copying: an advance racing
    /// with the copy either lands in it or sets the flag again for the next snapshot.
    /// </summary>
    public bool TakeChanged() => Interlocked.Exchange(ref _changed, 0) != 0;

    public void MarkChanged() => Volatile.Write(ref _changed, 1);

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

    public void Dispose()
    {
        var p = _positions;
        _positions = null;
        if (p != null)
            NativeMemory.Free(p);
    }
}
