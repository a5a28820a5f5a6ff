using System.Reflection;
using Microsoft.AspNetCore.Http;
using RecFeed.Feed;
using RecFeed.Http.Lifecycle;
using RecFeed.Transport.Epoll;

namespace RecFeed.Http.Metrics;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format (0.0.4): what requests got and how long they took, what is
/// served, what reloads and snapshots did (<see cref="ServeStatistics"/>), and the process. Scrapes are rare, so this
/// may allocate; the request path only adds to striped counters (<see cref="FeedCounters"/>, <see cref="RequestDurations"/>).
/// </summary>
/// <param name="transport">The epoll transport's counters; null on the sockets transport.</param>
public sealed class MetricsHandler(FeedService service, ServeStatistics statistics, EpollTransportMetrics? transport = null)
{
    /// <summary>The <c>outcome</c> label of each <see cref="FeedOutcome"/>, by value.</summary>
    private static readonly string[] OutcomeLabels = ["served", "unknown_user", "misdirected", "unavailable", "bad_request"];

    /// <summary>The order of <c>recfeed_requests_total</c>'s samples, as exposed since the first release.</summary>
    private static readonly FeedOutcome[] RequestsOrder =
        [FeedOutcome.Served, FeedOutcome.UnknownUser, FeedOutcome.BadRequest, FeedOutcome.Unavailable, FeedOutcome.Misdirected];

    private static readonly string Version =
        typeof(FeedService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public Task Metrics(HttpContext context)
    {
        var text = Render();
        context.Response.ContentType = PrometheusText.ContentType;
        return context.Response.WriteAsync(text);
    }

    public string Render()
    {
        var t = new PrometheusText(16 * 1024);
        t.Family("recfeed_build_info", "gauge", "The running recfeed build; the value is always 1.").Sample("recfeed_build_info", 1, ("version", Version));
        WriteRequests(t);
        WriteDurations(t);
        WriteDataset(t);
        WriteReloads(t);
        WriteDeltas(t);
        WriteSnapshots(t);
        WriteSync(t);
        if (transport != null)
            TransportMetrics.Write(t, transport);
        ProcessMetrics.Write(t);
        return t.ToString();
    }

    /// <summary>The request counts are the duration histogram's (<see cref="RequestDurations.Requests"/>): a request is counted once.</summary>
    private void WriteRequests(PrometheusText t)
    {
        var c = statistics.Feed;
        var r = statistics.Requests;
        t.Family("recfeed_requests_total", "counter", "Feed requests by outcome.");
        foreach (var outcome in RequestsOrder)
            Outcome(t, "recfeed_requests_total", outcome, r.Requests(outcome));
        t.Single("recfeed_unknown_user_requests_total", "counter", "Requests for a user id beyond the file, answered with fallback items only.",
            r.Requests(FeedOutcome.UnknownUser));
        t.Single("recfeed_bad_requests_total", "counter", "Requests answered 400.", r.Requests(FeedOutcome.BadRequest));
        t.Single("recfeed_personal_items_total", "counter", "Personal items served.", c[FeedCounter.PersonalItems]);
        t.Single("recfeed_fallback_items_total", "counter", "Fallback items served.", c[FeedCounter.FallbackItems]);
        t.Single("recfeed_exhausted_users_total", "counter", "Users whose personal feed ran out.", c[FeedCounter.ExhaustedUsers]);
    }

    private static void Outcome(PrometheusText t, string name, FeedOutcome outcome, double value) =>
        t.Sample(name, value, ("outcome", OutcomeLabels[(int)outcome]));

    /// <summary>Cumulative buckets per outcome; the +Inf bucket and <c>_count</c> are the same sum, so they always agree.</summary>
    private void WriteDurations(PrometheusText t)
    {
        const string name = "recfeed_request_duration_seconds";
        const string bucketName = name + "_bucket", sumName = name + "_sum", countName = name + "_count";
        var durations = statistics.Requests;
        t.Family(name, "histogram",
            "Feed request duration from the parsed request reaching the feed handler to its body written into Kestrel's buffer, by outcome.");
        for (var o = 0; o < RequestDurations.Outcomes; o++)
        {
            var outcome = (FeedOutcome)o;
            var label = OutcomeLabels[o];
            long cumulative = 0;
            for (var bucket = 0; bucket < RequestDurations.Buckets; bucket++)
            {
                cumulative += durations.Count(outcome, bucket);
                var le = bucket < RequestDurations.UpperBounds.Length ? RequestDurations.UpperBounds[bucket] : "+Inf";
                t.Sample(bucketName, cumulative, ("outcome", label), ("le", le));
            }
            t.Sample(sumName, durations.SumSeconds(outcome), ("outcome", label));
            t.Sample(countName, cumulative, ("outcome", label));
        }
    }

    private void WriteDataset(PrometheusText t)
    {
        var slab = service.Slab;
        var header = slab.Header;
        t.Family("recfeed_dataset_info", "gauge", "The feeds file being served: its dataset id, shard (k/n) and path; the value is always 1.")
         .Sample("recfeed_dataset_info", 1, ("dataset_id", header.DatasetId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)),
             ("shard", $"{header.ShardIndex}/{header.ShardCount}"), ("file", slab.Path));
        t.Single("recfeed_dataset_loaded_timestamp_seconds", "gauge", "When the served feeds file finished loading, in Unix seconds.",
            slab.LoadedAt.ToUnixTimeMilliseconds() / 1000.0);
        t.Single("recfeed_users_loaded", "gauge", "Users in the loaded feeds file.", slab.UserCount);
        t.Single("recfeed_items_per_user", "gauge", "Items stored per user.", slab.ItemsPerUser);
        t.Single("recfeed_slab_bytes", "gauge", "Bytes of feed data held in native memory.", slab.Bytes);
        t.Single("recfeed_shard_index", "gauge", "k of the loaded file: it holds the users with id mod recfeed_shards == k.", header.ShardIndex);
        // Not recfeed_shard_count: promtool lints a _count suffix outside histograms and summaries.
        t.Single("recfeed_shards", "gauge", "n, the number of shards the users are split over (1: a single-machine file).", header.ShardCount);
    }

    private void WriteReloads(PrometheusText t)
    {
        var r = statistics.Reloads;
        t.Single("recfeed_reload_attempts_total", "counter", "Reloads asked for (SIGHUP or POST /admin/reload).", r.Attempts);
        t.Family("recfeed_reloads_total", "counter",
            "Finished reloads by result: accepted (swapped in), skipped (the file already served), rejected (unusable or another shard's file; " +
            "old data kept), failed (out of memory, I/O error or stopping; old data kept).");
        foreach (var outcome in Enum.GetValues<ReloadOutcome>())
            t.Sample("recfeed_reloads_total", r[outcome], ("result", outcome.ToString().ToLowerInvariant()));
        t.Single("recfeed_reload_last_success_timestamp_seconds", "gauge",
            "When the last accepted or skipped reload finished, in Unix seconds (0: none yet).", UnixSeconds(r.LastSuccess));
        t.Single("recfeed_reload_last_failure_timestamp_seconds", "gauge",
            "When the last rejected or failed reload finished, in Unix seconds (0: none yet).", UnixSeconds(r.LastFailure));
        t.Single("recfeed_reload_last_duration_seconds", "gauge", "How long the last finished reload took, from asking to answer.",
            r.LastDuration.TotalSeconds);
    }

    /// <summary>Each delta file is judged once per process; the gauges describe the generation served now.</summary>
    private void WriteDeltas(PrometheusText t)
    {
        var d = statistics.Deltas;
        var overlay = service.Current.Overlay; // sizes only: no native memory is read, so no gate is needed
        t.Family("recfeed_deltas_total", "counter", "Delta files by result: applied, rejected (corrupt, truncated, for another base, out of order; " +
            "not applied), superseded (for an older base than the one served; not applied, not an error).")
         .Sample("recfeed_deltas_total", d.Applied, ("result", "applied"))
         .Sample("recfeed_deltas_total", d.Rejected, ("result", "rejected"))
         .Sample("recfeed_deltas_total", d.Superseded, ("result", "superseded"));
        t.Single("recfeed_delta_users_replaced_total", "counter", "Rows of applied deltas: users given a new list from its start.", d.UsersReplaced);
        t.Single("recfeed_deltas_served", "gauge", "Delta files served over the base now.", overlay?.Deltas.Count ?? 0);
        t.Single("recfeed_delta_users_listed", "gauge", "Users of the base that a served delta gives a new list.", overlay?.UsersListed ?? 0);
        t.Single("recfeed_delta_bytes", "gauge", "Native bytes held by the served deltas: rows, their users' positions, the bit map.",
            overlay?.Bytes ?? 0);
    }

    private void WriteSnapshots(PrometheusText t)
    {
        var s = statistics.Snapshots;
        t.Single("recfeed_snapshots_total", "counter", "Snapshots of the read positions written to the state file.", s.Written);
        t.Single("recfeed_snapshot_failures_total", "counter", "Snapshots that could not be written (retried next round).", s.Failures);
        t.Single("recfeed_snapshot_written_bytes_total", "counter", "Bytes of state file written by snapshots.", s.BytesWritten);
        t.Single("recfeed_snapshot_last_success_timestamp_seconds", "gauge",
            "Last time the state file was known to hold every read position (a snapshot written, or nothing had moved), in Unix seconds.",
            s.LastSuccessUnixSeconds);
        t.Single("recfeed_snapshot_last_duration_seconds", "gauge", "How long the last snapshot written took.", s.LastDurationSeconds);
        t.Single("recfeed_snapshot_interval_seconds", "gauge", "The configured time between snapshot rounds (0: snapshots not running).",
            s.Interval.TotalSeconds);
    }

    /// <summary>Only with <c>--positions-redis</c>: without a sync there is nothing to be up or down.</summary>
    private void WriteSync(PrometheusText t)
    {
        var s = statistics.Sync;
        if (!s.Configured)
            return;
        t.Single("recfeed_positions_sync_up", "gauge", "1 while the last position sync round reached Redis, 0 while the sync is paused.", s.Up ? 1 : 0);
        t.Family("recfeed_positions_sync_rounds_total", "counter", "Position sync rounds by result (failed: Redis unreachable or refusing).")
         .Sample("recfeed_positions_sync_rounds_total", s.Rounds, ("result", "ok"))
         .Sample("recfeed_positions_sync_rounds_total", s.FailedRounds, ("result", "failed"));
        t.Single("recfeed_positions_sync_reconciles_total", "counter",
            "Full comparisons of every read position with Redis (at start, after a reconnect or a new dataset).", s.Reconciles);
        t.Single("recfeed_positions_sync_users_sent_total", "counter", "Users whose read position was sent to Redis.", s.UsersSent);
        t.Single("recfeed_positions_sync_users_taken_in_total", "counter", "Users moved forward to a position another replica had.", s.UsersTakenIn);
        t.Single("recfeed_positions_sync_sent_bytes_total", "counter", "Bytes sent to Redis by the position sync.", s.BytesSent);
        t.Single("recfeed_positions_sync_received_bytes_total", "counter", "Bytes received from Redis by the position sync.", s.BytesReceived);
        t.Single("recfeed_positions_sync_interval_seconds", "gauge", "The configured time between position sync rounds.", s.Interval.TotalSeconds);
    }

    private static double UnixSeconds(DateTimeOffset? at) => at is { } t ? t.ToUnixTimeMilliseconds() / 1000.0 : 0;
}
