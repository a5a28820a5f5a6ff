using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RecFeed.Slab;

namespace RecFeed.Feed;

/// <summary>
/// Tops a response up with popular items, walking one user's cycle of the fallback list (<see cref="FallbackOrder"/>)
/// from their fallback cursor: every item once before any comes back, skipping the user's own list. A cycle is the
/// whole list, or its first <see cref="MaxCycle"/> positions for a longer list (a cursor is a ushort), so one
/// response walks at most one cycle: bounded however small the list or large the request.
/// </summary>
public sealed class FallbackPicker
{
    /// <summary>Positions a cursor can name: 0..65535.</summary>
    public const int MaxCycle = ushort.MaxValue + 1;

    private readonly uint[] _items;
    private readonly ulong[] _strides;

    /// <summary>
    /// Open addressing, a power of two at least 4 times the items (twice past 2^20 items): the item hashed there, 0
    /// for none, and its index in <see cref="_indexes"/>. So an id not in the list (most of a user's own list) is
    /// usually one load and two compares: this runs for every id of an exhausted user's list.
    /// </summary>
    private readonly uint[] _keys;
    private readonly int[] _indexes;
    private readonly int _shift;

    /// <param name="items">The file's fallback list; zeros ("no item") and repeats are dropped, the order kept.</param>
    public FallbackPicker(ReadOnlySpan<uint> items)
    {
        var distinct = new List<uint>(items.Length);
        var seen = new HashSet<uint>();
        foreach (var item in items)
            if (item != 0 && seen.Add(item))
                distinct.Add(item);
        _items = [.. distinct];
        _strides = FallbackOrder.Strides((uint)_items.Length);
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, (_items.Length > 1 << 20 ? 2 : 4) * _items.Length));
        _shift = 32 - BitOperations.Log2((uint)size);
        _keys = new uint[size];
        _indexes = new int[size];
        for (var i = 0; i < _items.Length; i++)
        {
            var slot = Home(_items[i]);
            while (_keys[slot] != 0)
                slot = (slot + 1) & (size - 1);
            _keys[slot] = _items[i];
            _indexes[slot] = i;
        }
    }

    public int Count => _items.Length;

    /// <summary>Positions in one cycle: every item, at most <see cref="MaxCycle"/>.</summary>
    public int CycleLength => Math.Min(_items.Length, MaxCycle);

    /// <summary>The order <paramref name="userId"/> walks this list in, in dataset <paramref name="datasetId"/>.</summary>
    public FallbackOrder OrderOf(ulong datasetId, uint userId) => FallbackOrder.For(datasetId, userId, (uint)_items.Length, _strides);

    /// <summary>The item at <paramref name="position"/> of a user's cycle.</summary>
    public uint ItemAt(FallbackOrder order, int position) => _items[order.IndexAt((uint)position)];

    /// <summary>Where <paramref name="item"/> is in the list; -1 when it is not in it (0, "no item", never is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(uint item)
    {
        ref var keys = ref MemoryMarshal.GetArrayDataReference(_keys);
        var mask = _keys.Length - 1;
        var slot = Home(item);
        if (item == 0)
            return -1;
        for (var key = Unsafe.Add(ref keys, slot); key != item; key = Unsafe.Add(ref keys, slot))
        {
            if (key == 0)
                return -1;
            slot = (slot + 1) & mask;
        }
        return _indexes[slot];
    }

    /// <summary>
    /// Fills <paramref name="response"/> after its first <paramref name="personal"/> items (the user's own, so never
    /// repeated below) with the items of <paramref name="order"/> from cycle position <paramref name="cursor"/> on,
    /// skipping every item of <paramref name="ownList"/> (up to its first 0). Walks at most one cycle, so no item
    /// comes twice. Returns how many items the response now holds and, in <paramref name="next"/>, the position after
    /// the last one walked. O(own list + response), no allocation: the own list's places in the window are marked
    /// in a bitmap on the stack instead of searching the list for every candidate.
    /// </summary>
    public int Fill(Span<uint> response, int personal, FallbackOrder order, int cursor, FeedRow ownList, out ushort next)
    {
        var cycle = CycleLength;
        next = (ushort)cursor;
        if (cycle == 0 || personal >= response.Length)
            return personal;
        var start = (uint)(cursor < cycle ? cursor : cursor % cycle); // a cycle that shrank under the same dataset id
        var window = Math.Min(cycle, response.Length - personal + ownList.Length);
        Span<ulong> skip = stackalloc ulong[(window + 63) >> 6];
        skip.Clear();
        for (var i = 0; i < ownList.Length; i++)
        {
            var own = ownList[i];
            if (own == 0)
                break;
            var index = IndexOf(own);
            if (index < 0)
                continue;
            var position = order.PositionOf((uint)index);
            if (position >= cycle)
                continue;
            var offset = position >= start ? position - start : position + (uint)cycle - start;
            if (offset < window)
                skip[(int)(offset >> 6)] |= 1UL << (int)offset;
        }

        var items = _items;
        var at = start;
        var itemIndex = order.IndexAt(start);
        var filled = personal;
        for (var walked = 0; walked < window && filled < response.Length; walked++)
        {
            if ((skip[walked >> 6] & (1UL << walked)) == 0)
                response[filled++] = items[itemIndex];
            itemIndex = order.Next(itemIndex);
            if (++at == cycle)
            {
                at = 0;
                itemIndex = order.Offset;
            }
        }
        next = (ushort)at;
        return filled;
    }

    /// <summary>For a user the file does not know (no cursor to keep): their cycle from a random position.</summary>
    public int FillAtRandom(Span<uint> response, int personal, FallbackOrder order) =>
        Fill(response, personal, order, CycleLength == 0 ? 0 : Random.Shared.Next(CycleLength), default, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(uint item) => (int)((item * 0x9E3779B1u) >> _shift);
}
