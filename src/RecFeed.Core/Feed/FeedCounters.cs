using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>
/// What <see cref="FeedService"/> served, cheap enough for every request (see <see cref="StripedCounters"/>). Owned by
/// whoever composes the process, which hands it to the service and reads it for /metrics.
/// </summary>
public sealed class FeedCounters
{
    private readonly StripedCounters _counters = new();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(FeedCounter counter, long value = 1) => _counters.Add(_counters.Slot((int)counter), value);

    public long this[FeedCounter counter] => _counters.Sum((int)counter);
}
