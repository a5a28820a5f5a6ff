using System.Diagnostics;
using RecFeed.Feed;

namespace RecFeed.Tests.Metrics;

public sealed class RequestDurationsTests
{
    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    [Fact]
    public void Buckets_run_from_5_microseconds_to_1_second_with_le_labels_in_decimal()
    {
        Assert.Equal("0.000005", RequestDurations.UpperBounds[0]);
        Assert.Contains("0.00005", RequestDurations.UpperBounds);
        Assert.Equal("1", RequestDurations.UpperBounds[^1]);
        Assert.Equal(RequestDurations.UpperBounds.Length + 1, RequestDurations.Buckets);
        var bounds = RequestDurations.UpperBounds.Select(b => double.Parse(b, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(bounds.Order(), bounds);
    }

    [Fact]
    public void A_duration_lands_in_the_first_bucket_whose_bound_it_does_not_exceed_and_per_outcome()
    {
        var durations = new RequestDurations();
        durations.Observe(FeedOutcome.Served, Ticks(0.000004));   // <= 5 µs: bucket 0
        durations.Observe(FeedOutcome.Served, Ticks(0.000005));   // exactly 5 µs: still bucket 0 (le is inclusive)
        durations.Observe(FeedOutcome.Served, Ticks(0.00006));    // (50 µs, 75 µs]
        durations.Observe(FeedOutcome.Served, Ticks(2.5));        // beyond 1 s: +Inf
        durations.Observe(FeedOutcome.BadRequest, Ticks(0.0009)); // (750 µs, 1 ms]

        Assert.Equal(2, durations.Count(FeedOutcome.Served, 0));
        Assert.Equal(1, durations.Count(FeedOutcome.Served, Array.IndexOf(RequestDurations.UpperBounds, "0.000075")));
        Assert.Equal(1, durations.Count(FeedOutcome.Served, RequestDurations.Buckets - 1));
        Assert.Equal(4, Enumerable.Range(0, RequestDurations.Buckets).Sum(b => durations.Count(FeedOutcome.Served, b)));
        Assert.Equal(1, durations.Count(FeedOutcome.BadRequest, Array.IndexOf(RequestDurations.UpperBounds, "0.001")));
        Assert.Equal(0, Enumerable.Range(0, RequestDurations.Buckets).Sum(b => durations.Count(FeedOutcome.UnknownUser, b)));
        Assert.Equal(0.000004 + 0.000005 + 0.00006 + 2.5, durations.SumSeconds(FeedOutcome.Served), 6);
    }

    [Fact]
    public void Concurrent_observations_are_all_counted()
    {
        var durations = new RequestDurations();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 100_000; i++)
                durations.Observe(FeedOutcome.Misdirected, Ticks(0.0001));
        });
        Assert.Equal(800_000, Enumerable.Range(0, RequestDurations.Buckets).Sum(b => durations.Count(FeedOutcome.Misdirected, b)));
    }

    [Fact]
    public void A_request_is_counted_once_by_the_histogram_and_the_feed_counters_count_no_outcome()
    {
        // recfeed_requests_total is the histogram's count: a second counter of outcomes would cost the request path
        // another striped add and say the same thing.
        Assert.Empty(Enum.GetNames<FeedCounter>().Intersect(Enum.GetNames<FeedOutcome>()));
        var durations = new RequestDurations();
        durations.Observe(FeedOutcome.Served, Ticks(0.000004));
        durations.Observe(FeedOutcome.Served, Ticks(2.5));
        durations.Observe(FeedOutcome.Misdirected, Ticks(0.001));
        Assert.Equal(2, durations.Requests(FeedOutcome.Served));
        Assert.Equal(1, durations.Requests(FeedOutcome.Misdirected));
        Assert.Equal(0, durations.Requests(FeedOutcome.BadRequest));
    }
}
