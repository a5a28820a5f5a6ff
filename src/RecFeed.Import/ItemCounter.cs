using System.Numerics;

namespace RecFeed.Import;

/// <summary>
/// How many users hold each item id, for the "top K most frequent" fallback. Catalogue ids are mostly small and
/// dense, so ids below 2^24 are counted in a plain array (grown to the largest id seen, 64 MB at most: 4 bytes an id
/// instead of 16 for a hash slot at half load, and no probing); larger ids go to an open-addressing table of
/// (id, count) pairs that doubles at half load.
/// </summary>
public sealed class ItemCounter
{
    private const uint DenseLimit = 1 << 24;

    private int[] _dense = [];
    private uint[] _keys = new uint[1024];
    private int[] _counts = new int[1024];
    private int _used;

    public void Add(uint item, int delta = 1)
    {
        if (item < DenseLimit)
        {
            if (item >= (uint)_dense.Length)
                Array.Resize(ref _dense, (int)Math.Max(1024, BitOperations.RoundUpToPowerOf2(item + 1)));
            _dense[item] += delta;
            return;
        }
        var slot = Find(_keys, item);
        _counts[slot] += delta;
        if (_keys[slot] != 0)
            return;
        _keys[slot] = item;
        if (++_used * 2 > _keys.Length)
            Grow();
    }

    public void Add(ReadOnlySpan<uint> items, int delta)
    {
        foreach (var item in items)
            Add(item, delta);
    }

    /// <summary>The <paramref name="k"/> ids held by the most users, most first; ties go to the smaller id.</summary>
    public uint[] Top(int k)
    {
        if (k <= 0)
            return [];
        // A min-heap of the best k so far: its root is the weakest, replaced when a stronger one comes.
        var heap = new PriorityQueue<uint, (int Count, uint Item)>(k + 1, Comparer<(int Count, uint Item)>.Create(Weaker));
        for (var i = 1; i < _dense.Length; i++)
            Offer((uint)i, _dense[i]);
        for (var i = 0; i < _keys.Length; i++)
            Offer(_keys[i], _counts[i]);
        var top = new uint[heap.Count];
        for (var i = top.Length - 1; i >= 0; i--)
            top[i] = heap.Dequeue();
        return top;

        void Offer(uint item, int count)
        {
            if (item == 0 || count <= 0)
                return;
            if (heap.Count < k)
                heap.Enqueue(item, (count, item));
            else if (heap.TryPeek(out _, out var weakest) && Weaker(weakest, (count, item)) < 0)
                heap.EnqueueDequeue(item, (count, item));
        }
    }

    /// <summary>Orders weakest first: fewer users, then the larger id.</summary>
    private static int Weaker((int Count, uint Item) a, (int Count, uint Item) b) =>
        a.Count != b.Count ? a.Count.CompareTo(b.Count) : b.Item.CompareTo(a.Item);

    /// <summary>The slot holding <paramref name="item"/>, or the empty slot where it goes (Fibonacci hashing: the
    /// top bits of a multiply spread sequential ids, common in catalogues, across the table).</summary>
    private static int Find(uint[] keys, uint item)
    {
        var mask = keys.Length - 1;
        var shift = 64 - BitOperations.Log2((uint)keys.Length);
        for (var i = (int)((item * 0x9E3779B97F4A7C15UL) >> shift); ; i = (i + 1) & mask)
            if (keys[i] == item || keys[i] == 0)
                return i;
    }

    private void Grow()
    {
        var keys = new uint[_keys.Length * 2];
        var counts = new int[keys.Length];
        for (var i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] == 0)
                continue;
            var slot = Find(keys, _keys[i]);
            keys[slot] = _keys[i];
            counts[slot] = _counts[i];
        }
        (_keys, _counts) = (keys, counts);
    }
}
