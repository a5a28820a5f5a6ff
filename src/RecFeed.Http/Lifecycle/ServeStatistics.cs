using RecFeed.Feed;
using RecFeed.State;
using RecFeed.Sync;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// What one serving process counts, for /metrics and the <see cref="FeedMeter"/>. It belongs to whoever composes
/// the process, who makes one and hands each part to the component that records into it: <see cref="Feed"/> to the
/// <see cref="FeedService"/>, <see cref="Requests"/> to the public listener (<see cref="Hosting.PublicListener.Build"/>),
/// <see cref="Reloads"/> to the <see cref="FeedReloader"/>, <see cref="Snapshots"/> to the <see cref="StateKeeper"/>,
/// <see cref="Sync"/> to the <see cref="PositionSync"/>.
/// </summary>
public sealed class ServeStatistics
{
    /// <summary>Items served by kind, users whose list ran out.</summary>
    public FeedCounters Feed { get; } = new();

    /// <summary>Every feed request, by outcome and duration: the one count of requests.</summary>
    public RequestDurations Requests { get; } = new();

    public ReloadStatistics Reloads { get; } = new();

    /// <summary>Delta files applied, rejected, superseded; users replaced (to the <see cref="FeedReloader"/>).</summary>
    public DeltaStatistics Deltas { get; } = new();

    public SnapshotStatistics Snapshots { get; } = new();

    public SyncStatistics Sync { get; } = new();
}
