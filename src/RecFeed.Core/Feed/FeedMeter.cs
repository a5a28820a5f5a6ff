using System.Diagnostics.Metrics;

namespace RecFeed.Feed;

/// <summary>
/// The counters behind /metrics, also as a <see cref="System.Diagnostics.Metrics"/> meter named "RecFeed", for
/// in-process listeners and dotnet-counters. Only observable instruments: they read the same striped counters when a
/// listener asks, so the request path pays nothing for them. The duration histogram is not here: a meter histogram
/// would cost a call per request; it stays a Prometheus-only family.
/// </summary>
public static class FeedMeter
{
    public const string Name = "RecFeed";

    public static Meter Create(FeedService service)
    {
        var meter = new Meter(new MeterOptions(Name) { Scope = service }); // the scope tells one service's meter from another's in one process
        var c = service.Counters;
        meter.CreateObservableCounter("recfeed.requests", () => new Measurement<long>[]
        {
            new(c[FeedCounter.Served], new KeyValuePair<string, object?>("outcome", "served")),
            new(c[FeedCounter.UnknownUser], new KeyValuePair<string, object?>("outcome", "unknown_user")),
            new(c[FeedCounter.BadRequest], new KeyValuePair<string, object?>("outcome", "bad_request")),
            new(c[FeedCounter.Misdirected], new KeyValuePair<string, object?>("outcome", "misdirected")),
            new(c[FeedCounter.Unavailable], new KeyValuePair<string, object?>("outcome", "unavailable")),
        }, "{request}", "Feed requests by outcome.");
        meter.CreateObservableCounter("recfeed.items.personal", () => c[FeedCounter.PersonalItems], "{item}", "Personal items served.");
        meter.CreateObservableCounter("recfeed.items.fallback", () => c[FeedCounter.FallbackItems], "{item}", "Fallback items served.");
        meter.CreateObservableCounter("recfeed.users.exhausted", () => c[FeedCounter.ExhaustedUsers], "{user}", "Users whose personal feed ran out.");
        meter.CreateObservableGauge("recfeed.users.loaded", () => (long)service.Slab.UserCount, "{user}", "Users in the loaded feeds file.");
        meter.CreateObservableCounter("recfeed.reloads", () => Enum.GetValues<ReloadOutcome>()
            .Select(o => new Measurement<long>(service.Reloads[o], new KeyValuePair<string, object?>("result", o.ToString().ToLowerInvariant()))),
            "{reload}", "Finished reloads by result.");
        meter.CreateObservableCounter("recfeed.snapshots", () => service.Snapshots.Written, "{snapshot}", "Snapshots written.");
        meter.CreateObservableCounter("recfeed.snapshot.failures", () => service.Snapshots.Failures, "{snapshot}", "Snapshots that could not be written.");
        return meter;
    }
}
