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
    public bool TryAdvance(ulong user, ushort expected, ushort next) =>
        Interlocked.CompareExchange(ref _positions[user], next, expected) == expected;

    public void Dispose()
    {
        var p = _positions;
        _positions = null;
        if (p != null)
            NativeMemory.Free(p);
    }
}
