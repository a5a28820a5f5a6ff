using System.Globalization;

namespace RecFeed.Tests.Support;

/// <summary>Reads a /metrics body back: samples by series (name with labels, as printed), and one histogram's buckets.</summary>
public static class MetricsText
{
    public static Dictionary<string, double> Samples(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#'))
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>The (upper bound, cumulative count) pairs of one outcome of recfeed_request_duration_seconds, in printed order.</summary>
    public static (double UpperBound, double Cumulative)[] DurationBuckets(string text, string outcome)
    {
        var prefix = $"recfeed_request_duration_seconds_bucket{{outcome=\"{outcome}\",le=\"";
        return [.. text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l =>
        {
            var le = l[prefix.Length..l.IndexOf('"', prefix.Length)];
            return (le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture),
                    double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        })];
    }

    /// <summary>
    /// What Prometheus's histogram_quantile gives for these buckets: the bucket where the rank falls, linear inside it
    /// (from 0 for the first bucket); in the +Inf bucket, the highest finite bound.
    /// </summary>
    public static (double Lower, double Upper, double Interpolated) Quantile(double q, (double UpperBound, double Cumulative)[] buckets)
    {
        var rank = q * buckets[^1].Cumulative;
        var b = Array.FindIndex(buckets, x => x.Cumulative >= rank);
        var lower = b == 0 ? 0 : buckets[b - 1].UpperBound;
        var below = b == 0 ? 0 : buckets[b - 1].Cumulative;
        if (double.IsPositiveInfinity(buckets[b].UpperBound))
            return (lower, lower, lower);
        var upper = buckets[b].UpperBound;
        return (lower, upper, lower + (upper - lower) * ((rank - below) / (buckets[b].Cumulative - below)));
    }
}
