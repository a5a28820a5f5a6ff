using System.Numerics;

namespace RecFeed.Format;

/// <summary>
/// Open-addressing set of non-zero item ids for checking one row at a time, cleared in O(1) by bumping a generation
/// stamp, so a million rows cost no allocation and no clearing.
/// </summary>
public sealed class DistinctSet
{
    private uint[] _keys = [];
    private uint[] _stamps = [];
    private uint _stamp;
    private int _mask;

    /// <summary>Empties the set and makes room for <paramref name="capacity"/> ids at under half load.</summary>
    public void Reset(int capacity)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        if (size > _keys.Length)
        {
            _keys = new uint[size];
            _stamps = new uint[size];
            _stamp = 0;
        }
        _mask = _keys.Length - 1;
        _stamp++;
    }

    /// <summary>Adds <paramref name="key"/>; false if it was already there.</summary>
    public bool Add(uint key)
    {
        for (var i = (int)((key * 0x9E3779B1u) >> 7) & _mask; ; i = (i + 1) & _mask)
        {
            if (_stamps[i] != _stamp)
            {
                _stamps[i] = _stamp;
                _keys[i] = key;
                return true;
            }
            if (_keys[i] == key)
                return false;
        }
    }

    public bool Contains(uint key)
    {
        for (var i = (int)((key * 0x9E3779B1u) >> 7) & _mask; ; i = (i + 1) & _mask)
        {
            if (_stamps[i] != _stamp)
                return false;
            if (_keys[i] == key)
                return true;
        }
    }
}
