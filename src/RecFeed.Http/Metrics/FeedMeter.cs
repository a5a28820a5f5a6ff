using System.Diagnostics.Metrics;
using RecFeed.Feed;
using RecFeed.Http.Lifecycle;

namespace RecFeed.Http.Metrics;

/// <summary>
/// The counters behind /metrics (<see cref="ServeStatistics"/>), also as a <see cref="System.Diagnostics.Metrics"/>
/// meter named "RecFeed", for in-process listeners and dotnet-counters. Only observable instruments: they read the
/// same striped counters when a listener asks, so the request path pays nothing for them. The duration histogram is not here: a meter histogram
/// would cost a call per request; it stays a Prometheus-only family.
/// </summary>
public static class FeedMeter
{
    public const string Name = "RecFeed";

    /// <param name="statistics">Also the meter's scope, which tells one process's meter from another's in one process (tests).</param>
    public static Meter Create(FeedService service, ServeStatistics statistics)
    {
        var meter = new Meter(new MeterOptions(Name) { Scope = statistics });
        var c = statistics.Feed;
        var r = statistics.Requests;
        meter.CreateObservableCounter("recfeed.requests", () => new Measurement<long>[]
        {
            new(r.Requests(FeedOutcome.Served), new KeyValuePair<string, object?>("outcome", "served")),
            new(r.Requests(FeedOutcome.UnknownUser), new KeyValuePair<string, object?>("outcome", "unknown_user")),
            new(r.Requests(FeedOutcome.BadRequest), new KeyValuePair<string, object?>("outcome", "bad_request")),
            new(r.Requests(FeedOutcome.Misdirected), new KeyValuePair<string, object?>("outcome", "misdirected")),
            new(r.Requests(FeedOutcome.Unavailable), new KeyValuePair<string, object?>("outcome", "unavailable")),
        }, "{request}", "Feed requests by outcome.");
        meter.CreateObservableCounter("recfeed.items.personal", () => c[FeedCounter.PersonalItems], "{item}", "Personal items served.");
        meter.CreateObservableCounter("recfeed.items.fallback", () => c[FeedCounter.FallbackItems], "{item}", "Fallback items served.");
        meter.CreateObservableCounter("recfeed.users.exhausted", () => c[FeedCounter.ExhaustedUsers], "{user}", "Users whose personal feed ran out.");
        meter.CreateObservableGauge("recfeed.users.loaded", () => (long)service.Slab.UserCount, "{user}", "Users in the loaded feeds file.");
        meter.CreateObservableCounter("recfeed.reloads", () => Enum.GetValues<ReloadOutcome>()
            .Select(o => new Measurement<long>(statistics.Reloads[o], new KeyValuePair<string, object?>("result", o.ToString().ToLowerInvariant()))),
            "{reload}", "Finished reloads by result.");
        meter.CreateObservableCounter("recfeed.snapshots", () => statistics.Snapshots.Written, "{snapshot}", "Snapshots written.");
        meter.CreateObservableCounter("recfeed.snapshot.failures", () => statistics.Snapshots.Failures, "{snapshot}", "Snapshots that could not be written.");
        return meter;
    }
}
