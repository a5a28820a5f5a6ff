using RecFeed.Positions;
using RecFeed.Slab;

namespace RecFeed.Feed;

/// <summary>
/// A delta served on top of its base: the verified rows (<see cref="DeltaSlab"/>) and the read positions and fallback
/// cursors of its own users, one slot per row of the delta, all starting at 0. A listed user reads and advances these,
/// never the base's slot, so applying a delta resets nobody's position in place: requests still on the previous
/// generation go on advancing the base slot (or an older delta's), which the new generation no longer reads. That is
/// what makes a listed user's first request after the swap start at item 0 of the new list, however requests race.
/// Shared by every generation that serves it; freed by the last one (<see cref="FeedGeneration.Free"/>).
/// </summary>
public sealed class AppliedDelta(DeltaSlab slab) : IDisposable
{
    public DeltaSlab Slab { get; } = slab;
    public PositionTable Positions { get; } = new(slab.UserCount);
    public string Name => Slab.Name;
    public ulong DeltaId => Slab.Header.DeltaId;

    /// <summary>Native bytes held: the payload, the positions and cursors with their change map and unsent bits.</summary>
    public ulong Bytes => Slab.Bytes + Positions.AllocatedBytes;

    public void Dispose()
    {
        Slab.Dispose();
        Positions.Dispose();
    }
}
