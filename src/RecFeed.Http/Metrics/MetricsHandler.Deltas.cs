namespace RecFeed.Http.Metrics;

public sealed partial class MetricsHandler
{
    /// <summary>Each delta file is judged once per process; the gauges describe the generation each feed serves now.</summary>
    private void WriteDeltas(PrometheusText t)
    {
        t.Family("recfeed_deltas_total", "counter", "Delta files by result: applied, rejected (corrupt, truncated, for another base, out of order; " +
            "not applied), superseded (for an older base than the one served; not applied, not an error).");
        foreach (var feed in feeds)
        {
            var d = feed.Statistics.Deltas;
            t.Sample("recfeed_deltas_total", d.Applied, Labels(feed, ("result", "applied")))
             .Sample("recfeed_deltas_total", d.Rejected, Labels(feed, ("result", "rejected")))
             .Sample("recfeed_deltas_total", d.Superseded, Labels(feed, ("result", "superseded")));
        }
        PerFeed(t, "recfeed_delta_users_replaced_total", "counter", "Rows of applied deltas: users given a new list from its start.",
            f => f.Statistics.Deltas.UsersReplaced);
        // Sizes only: no native memory is read, so no gate is needed.
        PerFeed(t, "recfeed_deltas_served", "gauge", "Delta files served over the base now.", f => f.Service.Current.Overlay?.Deltas.Count ?? 0);
        PerFeed(t, "recfeed_delta_users_listed", "gauge", "Users of the base that a served delta gives a new list.",
            f => f.Service.Current.Overlay?.UsersListed ?? 0);
        PerFeed(t, "recfeed_delta_bytes", "gauge", "Native bytes held by the served deltas: rows, their users' positions, the bit map.",
            f => f.Service.Current.Overlay?.Bytes ?? 0);
    }
}
