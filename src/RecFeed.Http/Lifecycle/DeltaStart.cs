using Microsoft.Extensions.Logging;
using RecFeed.Feed;
using RecFeed.State;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// At start, after the base's read positions are restored: applies every delta file of <c>DATA.deltas/</c> over the
/// base (as a reload would), then restores the positions of the listed users from the delta state file, so a delta
/// applied before a restart does not reset its users again; only a delta the state file does not name starts them at 0.
/// </summary>
internal static class DeltaStart
{
    public static void Apply(FeedReloader reloader, StateKeeper keeper, ILogger log)
    {
        var scan = reloader.ApplyDeltas();
        foreach (var refused in scan.Refused)
            log.DeltaRefused(refused);
        if (scan.Added.Count == 0)
            return;
        var restored = keeper.RestoreDeltas(out var problem);
        if (problem is not null)
            log.DeltaStateUnusable(keeper.DeltaPath, problem);
        foreach (var delta in scan.Added)
            log.DeltaApplied(delta.Name, delta.Slab.UserCount, delta.Bytes, restored.Contains(delta.Name)
                ? $"read positions restored from {keeper.DeltaPath}"
                : "its users start their new lists from the beginning");
    }
}
