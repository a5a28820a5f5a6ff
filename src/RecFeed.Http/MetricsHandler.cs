using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using RecFeed.Feed;

namespace RecFeed.Http;

/// <summary><c>GET /metrics</c> in the Prometheus text format (0.0.4). Scrapes are rare, so this may allocate.</summary>
public sealed class MetricsHandler(FeedService service)
{
    private const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public Task Metrics(HttpContext context)
    {
        var text = Render();
        context.Response.ContentType = ContentType;
        return context.Response.WriteAsync(text);
    }

    public string Render()
    {
        var c = service.Counters;
        var slab = service.Slab;
        var b = new StringBuilder(2048);
        Family(b, "recfeed_requests_total", "counter", "Feed requests by outcome.");
        Sample(b, "recfeed_requests_total{outcome=\"served\"}", c[FeedCounter.Served]);
        Sample(b, "recfeed_requests_total{outcome=\"unknown_user\"}", c[FeedCounter.UnknownUser]);
        Sample(b, "recfeed_requests_total{outcome=\"bad_request\"}", c[FeedCounter.BadRequest]);
        Sample(b, "recfeed_requests_total{outcome=\"unavailable\"}", c[FeedCounter.Unavailable]);
        Sample(b, "recfeed_requests_total{outcome=\"misdirected\"}", c[FeedCounter.Misdirected]);
        Single(b, "recfeed_unknown_user_requests_total", "counter", "Requests for a user id beyond the file, answered with fallback items only.", c[FeedCounter.UnknownUser]);
        Single(b, "recfeed_bad_requests_total", "counter", "Requests answered 400.", c[FeedCounter.BadRequest]);
        Single(b, "recfeed_personal_items_total", "counter", "Personal items served.", c[FeedCounter.PersonalItems]);
        Single(b, "recfeed_fallback_items_total", "counter", "Fallback items served.", c[FeedCounter.FallbackItems]);
        Single(b, "recfeed_exhausted_users_total", "counter", "Users whose personal feed ran out.", c[FeedCounter.ExhaustedUsers]);
        Single(b, "recfeed_users_loaded", "gauge", "Users in the loaded feeds file.", (long)slab.UserCount);
        Single(b, "recfeed_items_per_user", "gauge", "Items stored per user.", slab.ItemsPerUser);
        Single(b, "recfeed_slab_bytes", "gauge", "Bytes of feed data held in native memory.", (long)slab.Bytes);
        Single(b, "recfeed_shard_index", "gauge", "k of the loaded file: it holds the users with id mod shard_count == k.", slab.Header.ShardIndex);
        Single(b, "recfeed_shard_count", "gauge", "n, the number of shards the users are split over (1: a single-machine file).", slab.Header.ShardCount);
        Single(b, "dotnet_gc_allocated_bytes_total", "counter", "Bytes the process has allocated on the managed heap since it started (GC.GetTotalAllocatedBytes).", GC.GetTotalAllocatedBytes());
        return b.ToString();
    }

    private static void Single(StringBuilder b, string name, string type, string help, long value)
    {
        Family(b, name, type, help);
        Sample(b, name, value);
    }

    private static void Family(StringBuilder b, string name, string type, string help) =>
        b.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
         .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder b, string name, long value) =>
        b.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
