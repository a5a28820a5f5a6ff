using RecFeed.Http.Lifecycle;

namespace RecFeed.Http.Metrics;

/// <summary>The read positions' families (snapshots, the position sync) and the per-feed sample writers.</summary>
public sealed partial class MetricsHandler
{
    private void WriteSnapshots(PrometheusText t)
    {
        PerFeed(t, "recfeed_snapshots_total", "counter", "Snapshots of the read positions written to the state file.", f => f.Statistics.Snapshots.Written);
        PerFeed(t, "recfeed_snapshot_failures_total", "counter", "Snapshots that could not be written (retried next round).",
            f => f.Statistics.Snapshots.Failures);
        PerFeed(t, "recfeed_snapshot_written_bytes_total", "counter", "Bytes of state file written by snapshots.", f => f.Statistics.Snapshots.BytesWritten);
        PerFeed(t, "recfeed_snapshot_last_success_timestamp_seconds", "gauge",
            "Last time the state file was known to hold every read position (a snapshot written, or nothing had moved), in Unix seconds.",
            f => f.Statistics.Snapshots.LastSuccessUnixSeconds);
        PerFeed(t, "recfeed_snapshot_last_duration_seconds", "gauge", "How long the last snapshot written took.",
            f => f.Statistics.Snapshots.LastDurationSeconds);
        PerFeed(t, "recfeed_snapshot_interval_seconds", "gauge", "The configured time between snapshot rounds (0: snapshots not running).",
            f => f.Statistics.Snapshots.Interval.TotalSeconds);
    }

    /// <summary>Only with <c>--positions-redis</c>: without a sync there is nothing to be up or down. Each feed syncs on its own.</summary>
    private void WriteSync(PrometheusText t)
    {
        if (!feeds[0].Statistics.Sync.Configured)
            return;
        PerFeed(t, "recfeed_positions_sync_up", "gauge", "1 while the last position sync round reached Redis, 0 while the sync is paused.",
            f => f.Statistics.Sync.Up ? 1 : 0);
        t.Family("recfeed_positions_sync_rounds_total", "counter", "Position sync rounds by result (failed: Redis unreachable or refusing).");
        foreach (var feed in feeds)
            t.Sample("recfeed_positions_sync_rounds_total", feed.Statistics.Sync.Rounds, Labels(feed, ("result", "ok")))
             .Sample("recfeed_positions_sync_rounds_total", feed.Statistics.Sync.FailedRounds, Labels(feed, ("result", "failed")));
        PerFeed(t, "recfeed_positions_sync_reconciles_total", "counter",
            "Full comparisons of every read position with Redis (at start, after a reconnect or a new dataset).", f => f.Statistics.Sync.Reconciles);
        PerFeed(t, "recfeed_positions_sync_users_sent_total", "counter", "Users whose read position was sent to Redis.", f => f.Statistics.Sync.UsersSent);
        PerFeed(t, "recfeed_positions_sync_users_taken_in_total", "counter", "Users moved forward to a position another replica had.",
            f => f.Statistics.Sync.UsersTakenIn);
        PerFeed(t, "recfeed_positions_sync_sent_bytes_total", "counter", "Bytes sent to Redis by the position sync.", f => f.Statistics.Sync.BytesSent);
        PerFeed(t, "recfeed_positions_sync_received_bytes_total", "counter", "Bytes received from Redis by the position sync.",
            f => f.Statistics.Sync.BytesReceived);
        PerFeed(t, "recfeed_positions_sync_interval_seconds", "gauge", "The configured time between position sync rounds.",
            f => f.Statistics.Sync.Interval.TotalSeconds);
    }

    /// <summary>A family with one sample per feed, labelled by feed when there are named feeds.</summary>
    private void PerFeed(PrometheusText t, string name, string type, string help, Func<ServedFeed, double> value)
    {
        t.Family(name, type, help);
        foreach (var feed in feeds)
            t.Sample(name, value(feed), Labels(feed));
    }

    /// <summary><paramref name="labels"/>, after <c>feed="NAME"</c> when named feeds are served.</summary>
    private (string Name, string Value)[] Labels(ServedFeed feed, params (string Name, string Value)[] labels) =>
        feeds.Count == 1 ? labels : [("feed", feed.Name), .. labels];
}
