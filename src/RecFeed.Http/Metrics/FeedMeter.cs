using System.Diagnostics.Metrics;
using RecFeed.Feed;
using RecFeed.Http.Lifecycle;

namespace RecFeed.Http.Metrics;

/// <summary>
/// The counters behind /metrics (<see cref="ServeStatistics"/>), also as a <see cref="System.Diagnostics.Metrics"/>
/// meter named "RecFeed", for in-process listeners and dotnet-counters. Only observable instruments: they read the
/// same striped counters when a listener asks, so the request path pays nothing for them. The duration histogram is
/// not here: a meter histogram would cost a call per request; it stays a Prometheus-only family. With named feeds each measurement is tagged
/// <c>feed</c> first, as /metrics labels them; without, there is no such tag.
/// </summary>
public static class FeedMeter
{
    public const string Name = "RecFeed";

    private static readonly (FeedOutcome Outcome, string Label)[] Outcomes =
    [
        (FeedOutcome.Served, "served"), (FeedOutcome.UnknownUser, "unknown_user"), (FeedOutcome.BadRequest, "bad_request"),
        (FeedOutcome.Misdirected, "misdirected"), (FeedOutcome.Unavailable, "unavailable"),
    ];

    /// <param name="feeds">--data's feed first, whose statistics are also the meter's scope, which tells one process's
    /// meter from another's in one process (tests).</param>
    public static Meter Create(IReadOnlyList<ServedFeed> feeds)
    {
        var meter = new Meter(new MeterOptions(Name) { Scope = feeds[0].Statistics });
        meter.CreateObservableCounter("recfeed.requests",
            () => Each(feeds, Outcomes, (f, o) => f.Statistics.Requests.Requests(o.Outcome), o => ("outcome", o.Label)), "{request}",
            "Feed requests by outcome.");
        meter.CreateObservableCounter("recfeed.items.personal", () => Each(feeds, f => f.Statistics.Feed[FeedCounter.PersonalItems]), "{item}",
            "Personal items served.");
        meter.CreateObservableCounter("recfeed.items.fallback", () => Each(feeds, f => f.Statistics.Feed[FeedCounter.FallbackItems]), "{item}",
            "Fallback items served.");
        meter.CreateObservableCounter("recfeed.users.exhausted", () => Each(feeds, f => f.Statistics.Feed[FeedCounter.ExhaustedUsers]), "{user}",
            "Users whose personal feed ran out.");
        meter.CreateObservableGauge("recfeed.users.loaded", () => Each(feeds, f => (long)f.Service.Slab.UserCount), "{user}",
            "Users in the loaded feeds file.");
        meter.CreateObservableCounter("recfeed.reloads", () => Each(feeds, Enum.GetValues<ReloadOutcome>(), (f, o) => f.Statistics.Reloads[o],
            o => ("result", o.ToString().ToLowerInvariant())), "{reload}", "Finished reloads by result.");
        meter.CreateObservableCounter("recfeed.snapshots", () => Each(feeds, f => f.Statistics.Snapshots.Written), "{snapshot}", "Snapshots written.");
        meter.CreateObservableCounter("recfeed.snapshot.failures", () => Each(feeds, f => f.Statistics.Snapshots.Failures), "{snapshot}",
            "Snapshots that could not be written.");
        return meter;
    }

    private static Measurement<long>[] Each(IReadOnlyList<ServedFeed> feeds, Func<ServedFeed, long> value) =>
        Each(feeds, [0], (f, _) => value(f), null);

    /// <summary>A measurement per feed and key, tagged (feed, then the key's tag) as /metrics labels its samples.</summary>
    private static Measurement<long>[] Each<TKey>(IReadOnlyList<ServedFeed> feeds, TKey[] keys, Func<ServedFeed, TKey, long> value,
        Func<TKey, (string Name, string Value)>? tag)
    {
        var measurements = new List<Measurement<long>>(feeds.Count * keys.Length);
        foreach (var feed in feeds)
            foreach (var key in keys)
            {
                var tags = new List<KeyValuePair<string, object?>>(2);
                if (feeds.Count > 1)
                    tags.Add(new("feed", feed.Name));
                if (tag != null)
                {
                    var (name, text) = tag(key);
                    tags.Add(new(name, text));
                }
                measurements.Add(new Measurement<long>(value(feed, key), tags));
            }
        return [.. measurements];
    }
}
