using RecFeed.Offsets;
using RecFeed.Slab;

namespace RecFeed.Feed;

/// <summary>
/// The business rule: a user's next unseen personal items in stored order, claimed atomically, then fallback items
/// to fill the requested size. Owns the slab and the offsets it serves from.
/// </summary>
public sealed class FeedService : IDisposable
{
    public const int DefaultSize = 10;

    private readonly FeedSlab _slab;
    private readonly OffsetTable _offsets;
    private readonly FallbackPicker _fallback;
    private readonly uint _shardIndex;
    private readonly uint _shardCount;

    public FeedService(FeedSlab slab)
    {
        _slab = slab;
        _offsets = new OffsetTable(slab.UserCount);
        _fallback = new FallbackPicker(slab.Fallback);
        (_shardIndex, _shardCount) = (slab.Header.ShardIndex, slab.Header.ShardCount);
    }

    public FeedSlab Slab => _slab;
    public FeedCounters Counters { get; } = new();

    /// <summary>Largest size a request may ask for: one user's whole row.</summary>
    public int MaxSize => _slab.ItemsPerUser;

    /// <summary>The size of a request that names none.</summary>
    public int DefaultRequestSize => Math.Min(DefaultSize, MaxSize);

    /// <summary>Fills <paramref name="response"/> (its length is the requested size) and says how many items it holds.</summary>
    public FeedOutcome Serve(uint userId, Span<uint> response, out int count)
    {
        count = 0;
        var user = (ulong)userId;
        if (_shardCount != 1)
        {
            if (user % _shardCount != _shardIndex)
            {
                Counters.Add(FeedCounter.Misdirected);
                return FeedOutcome.Misdirected;
            }
            user /= _shardCount;
        }

        var known = user < _slab.UserCount;
        var personal = known ? ClaimPersonal(user, response) : 0;
        count = _fallback.Fill(response, personal);
        if (count == 0)
        {
            Counters.Add(FeedCounter.Unavailable);
            return FeedOutcome.Unavailable;
        }
        Counters.Add(known ? FeedCounter.Served : FeedCounter.UnknownUser);
        if (personal > 0)
            Counters.Add(FeedCounter.PersonalItems, personal);
        if (count > personal)
            Counters.Add(FeedCounter.FallbackItems, count - personal);
        return known ? FeedOutcome.Served : FeedOutcome.UnknownUser;
    }

    /// <summary>Atomically takes up to response.Length next items; the personal list ends at the row's end or its first 0.</summary>
    private int ClaimPersonal(ulong user, Span<uint> response)
    {
        var row = _slab.Row(user);
        while (true)
        {
            var position = _offsets.Read(user);
            var available = row[position..Math.Min(position + response.Length, row.Length)];
            var take = available.IndexOf(0u);
            if (take < 0)
                take = available.Length;
            if (take == 0)
                return 0;
            var next = position + take;
            if (!_offsets.TryAdvance(user, position, (ushort)next))
                continue;
            available[..take].CopyTo(response);
            if (next == row.Length || row[next] == 0)
                Counters.Add(FeedCounter.ExhaustedUsers);
            return take;
        }
    }

    public void Dispose()
    {
        _offsets.Dispose();
        _slab.Dispose();
    }
}
