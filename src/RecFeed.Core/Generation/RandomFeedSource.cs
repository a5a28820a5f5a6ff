using System.Numerics;
using RecFeed.Format;

namespace RecFeed.Generation;

/// <summary>
/// Random feeds for demos and benchmarks. Each row depends only on (seed, user), so rows can be produced in any
/// order on any thread and the file is byte-identical for the same arguments.
/// </summary>
public sealed class RandomFeedSource : IFeedSource
{
    public const ulong DefaultSeed = 42;

    private const ulong FallbackStream = ulong.MaxValue;

    [ThreadStatic] private static DistinctSet? t_seen;

    private readonly ulong _seed;
    private readonly uint _maxItemId;
    private readonly int _itemsPerUser;
    private readonly ulong _shardIndex;
    private readonly ulong _shardCount;

    public RandomFeedSource(ulong seed, uint maxItemId, int itemsPerUser, uint shardIndex = 0, uint shardCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItemId, (uint)itemsPerUser);
        (_seed, _maxItemId, _itemsPerUser, _shardIndex, _shardCount) = (seed, maxItemId, itemsPerUser, shardIndex, shardCount);
    }

    public void WriteFallback(Span<uint> destination) => Fill(FallbackStream, destination);

    /// <summary>The row of a shard's local user is the row its global user id has in an unsharded file.</summary>
    public void WriteRow(ulong user, Span<uint> destination) => Fill(user * _shardCount + _shardIndex, destination);

    private void Fill(ulong stream, Span<uint> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)destination.Length, _maxItemId);
        var random = new SplitMix64(SplitMix64.Mix(_seed, stream));
        var seen = t_seen ??= new DistinctSet();
        seen.Reset(Math.Max(_itemsPerUser, destination.Length));
        for (var i = 0; i < destination.Length;)
        {
            var item = random.NextItem(_maxItemId);
            if (seen.Add(item))
                destination[i++] = item;
        }
    }

    /// <summary>Open-addressing set of non-zero ids, cleared in O(1) by bumping a generation stamp.</summary>
    private sealed class DistinctSet
    {
        private uint[] _keys = [];
        private uint[] _stamps = [];
        private uint _stamp;
        private int _mask;

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
    }
}
