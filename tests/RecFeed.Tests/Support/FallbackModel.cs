using RecFeed.Feed;

namespace RecFeed.Tests.Support;

/// <summary>
/// The fallback rule as a test states it, independent of how the picker walks: a user's sequence is their cycle
/// (<see cref="FallbackPicker.ItemAt"/> at positions 0, 1, ... of <see cref="FallbackOrder"/>) without the items of
/// their own list, repeated cycle after cycle.
/// </summary>
public static class FallbackModel
{
    /// <summary>The first <paramref name="count"/> fallback items <paramref name="userId"/> is served.</summary>
    public static uint[] Sequence(uint[] fallback, ulong datasetId, uint userId, IEnumerable<uint> ownList, int count)
    {
        var picker = new FallbackPicker(fallback);
        var order = picker.OrderOf(datasetId, userId);
        var own = ownList.ToHashSet();
        var cycle = Enumerable.Range(0, picker.CycleLength).Select(p => picker.ItemAt(order, p)).Where(id => !own.Contains(id)).ToArray();
        return [.. Enumerable.Range(0, count).Select(i => cycle[i % cycle.Length])];
    }
}
