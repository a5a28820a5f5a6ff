using System.Runtime.CompilerServices;

namespace RecFeed.Slab;

/// <summary>
/// One user's stored ids, read in place: <see cref="Length"/> ids of <c>itemBytes</c> bytes each (4 in a version 1
/// row, padding zeros included; 2, 3 or 4 in a version 2 row). An id is one unaligned 4-byte load masked to its
/// width; the file guarantees that a load of the last id stays inside the payload.
/// </summary>
public readonly unsafe ref struct FeedRow
{
    private readonly byte* _items;
    private readonly int _itemBytes;
    private readonly uint _mask;

    internal FeedRow(byte* items, int length, int itemBytes)
    {
        _items = items;
        Length = length;
        _itemBytes = itemBytes;
        _mask = uint.MaxValue >> (32 - 8 * itemBytes);
    }

    public int Length { get; }

    public uint this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Unsafe.ReadUnaligned<uint>(_items + (nuint)index * (nuint)_itemBytes) & _mask;
    }

    /// <summary>Copies the ids from <paramref name="start"/> on, as many as fit; returns how many (0 past the end).</summary>
    public int CopyTo(int start, Span<uint> destination)
    {
        var count = Math.Min(destination.Length, Length - start);
        for (var i = 0; i < count; i++)
            destination[i] = this[start + i];
        return Math.Max(count, 0);
    }

    public uint[] ToArray()
    {
        var ids = new uint[Length];
        CopyTo(0, ids);
        return ids;
    }
}
