using System.Globalization;
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
/// Every family about a feed has a sample per feed; with named feeds each carries <c>feed="NAME"</c> (<c>"default"</c>
/// for --data), without them there is no such label, so a serve of --data alone shows what it always showed.
/// </summary>
/// <param name="feeds">--data's feed first, then the named ones.</param>
/// <param name="transport">The epoll transport's counters; null on the sockets transport.</param>
public sealed partial class MetricsHandler(IReadOnlyList<ServedFeed> feeds, EpollTransportMetrics? transport = null)
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
        t.Family("recfeed_requests_total", "counter", "Feed requests by outcome.");
        foreach (var feed in feeds)
            foreach (var outcome in RequestsOrder)
                t.Sample("recfeed_requests_total", feed.Statistics.Requests.Requests(outcome), Labels(feed, ("outcome", OutcomeLabels[(int)outcome])));
        PerFeed(t, "recfeed_unknown_user_requests_total", "counter", "Requests for a user id beyond the file, answered with fallback items only.",
            f => f.Statistics.Requests.Requests(FeedOutcome.UnknownUser));
        PerFeed(t, "recfeed_bad_requests_total", "counter", "Requests answered 400.", f => f.Statistics.Requests.Requests(FeedOutcome.BadRequest));
        PerFeed(t, "recfeed_personal_items_total", "counter", "Personal items served.", f => f.Statistics.Feed[FeedCounter.PersonalItems]);
        PerFeed(t, "recfeed_fallback_items_total", "counter", "Fallback items served.", f => f.Statistics.Feed[FeedCounter.FallbackItems]);
        PerFeed(t, "recfeed_exhausted_users_total", "counter", "Users whose personal feed ran out.", f => f.Statistics.Feed[FeedCounter.ExhaustedUsers]);
    }

    /// <summary>Cumulative buckets per outcome; the +Inf bucket and <c>_count</c> are the same sum, so they always agree.</summary>
    private void WriteDurations(PrometheusText t)
    {
        const string name = "recfeed_request_duration_seconds";
        const string bucketName = name + "_bucket", sumName = name + "_sum", countName = name + "_count";
        t.Family(name, "histogram",
            "Feed request duration, by outcome: on the epoll fast lane from the loop waking with the request to its answer written; "
            + "through Kestrel from the parsed request reaching the feed handler to its body in Kestrel's buffer.");
        foreach (var feed in feeds)
        {
            var durations = feed.Statistics.Requests;
            for (var o = 0; o < RequestDurations.Outcomes; o++)
            {
                var outcome = (FeedOutcome)o;
                var label = OutcomeLabels[o];
                long cumulative = 0;
                for (var bucket = 0; bucket < RequestDurations.Buckets; bucket++)
                {
                    cumulative += durations.Count(outcome, bucket);
                    var le = bucket < RequestDurations.UpperBounds.Length ? RequestDurations.UpperBounds[bucket] : "+Inf";
                    t.Sample(bucketName, cumulative, Labels(feed, ("outcome", label), ("le", le)));
                }
                t.Sample(sumName, durations.SumSeconds(outcome), Labels(feed, ("outcome", label)));
                t.Sample(countName, cumulative, Labels(feed, ("outcome", label)));
            }
        }
    }

    private void WriteDataset(PrometheusText t)
    {
        t.Family("recfeed_dataset_info", "gauge", "The feeds file being served: its dataset id, shard (k/n) and path; the value is always 1.");
        foreach (var feed in feeds)
        {
            var slab = feed.Service.Slab;
            var header = slab.Header;
            t.Sample("recfeed_dataset_info", 1, Labels(feed, ("dataset_id", header.DatasetId.ToString("x16", CultureInfo.InvariantCulture)),
                ("shard", $"{header.ShardIndex}/{header.ShardCount}"), ("file", slab.Path)));
        }
        PerFeed(t, "recfeed_dataset_loaded_timestamp_seconds", "gauge", "When the served feeds file finished loading, in Unix seconds.",
            f => f.Service.Slab.LoadedAt.ToUnixTimeMilliseconds() / 1000.0);
        PerFeed(t, "recfeed_users_loaded", "gauge", "Users in the loaded feeds file.", f => f.Service.Slab.UserCount);
        PerFeed(t, "recfeed_items_per_user", "gauge", "Items stored per user.", f => f.Service.Slab.ItemsPerUser);
        PerFeed(t, "recfeed_slab_bytes", "gauge", "Bytes of feed data held in native memory.", f => f.Service.Slab.Bytes);
        PerFeed(t, "recfeed_shard_index", "gauge", "k of the loaded file: it holds the users with id mod recfeed_shards == k.",
            f => f.Service.Slab.Header.ShardIndex);
        // Not recfeed_shard_count: promtool lints a _count suffix outside histograms and summaries.
        PerFeed(t, "recfeed_shards", "gauge", "n, the number of shards the users are split over (1: a single-machine file).",
            f => f.Service.Slab.Header.ShardCount);
    }

    private void WriteReloads(PrometheusText t)
    {
        PerFeed(t, "recfeed_reload_attempts_total", "counter", "Reloads asked for (SIGHUP or POST /admin/reload).", f => f.Statistics.Reloads.Attempts);
        t.Family("recfeed_reloads_total", "counter",
            "Finished reloads by result: accepted (swapped in), skipped (the file already served), rejected (unusable or another shard's file; " +
            "old data kept), failed (out of memory, I/O error or stopping; old data kept).");
        foreach (var feed in feeds)
            foreach (var outcome in Enum.GetValues<ReloadOutcome>())
                t.Sample("recfeed_reloads_total", feed.Statistics.Reloads[outcome], Labels(feed, ("result", outcome.ToString().ToLowerInvariant())));
        PerFeed(t, "recfeed_reload_last_success_timestamp_seconds", "gauge",
            "When the last accepted or skipped reload finished, in Unix seconds (0: none yet).", f => UnixSeconds(f.Statistics.Reloads.LastSuccess));
        PerFeed(t, "recfeed_reload_last_failure_timestamp_seconds", "gauge",
            "When the last rejected or failed reload finished, in Unix seconds (0: none yet).", f => UnixSeconds(f.Statistics.Reloads.LastFailure));
        PerFeed(t, "recfeed_reload_last_duration_seconds", "gauge", "How long the last finished reload took, from asking to answer.",
            f => f.Statistics.Reloads.LastDuration.TotalSeconds);
    }

    private static double UnixSeconds(DateTimeOffset? at) => at is { } t ? t.ToUnixTimeMilliseconds() / 1000.0 : 0;
}
