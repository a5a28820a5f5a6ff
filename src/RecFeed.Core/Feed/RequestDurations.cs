using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>
/// The request-duration histogram behind <c>recfeed_request_duration_seconds</c>, one row of fixed buckets per
/// <see cref="FeedOutcome"/>, on <see cref="StripedCounters"/>: recording is two uncontended atomic adds, no lock,
/// no allocation. Buckets step 1-1.5-2-3-5-7.5 per decade from 5 µs to 10 ms, where recfeed's own work falls
/// (5-15 µs a request in the published binary here), so a p99 interpolated inside one bucket is off by at most half a step; then
/// 1-2-5 up to 1 s for the tail.
/// </summary>
public sealed class RequestDurations
{
    private static readonly decimal[] UpperBoundsMicroseconds =
    [
        5, 7.5m, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750,
        1_000, 1_500, 2_000, 3_000, 5_000, 7_500,
        10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
    ];

    /// <summary>The finite buckets' upper bounds in seconds, as Prometheus <c>le</c> label values ("0.000005", ..., "1").</summary>
    public static readonly string[] UpperBounds = [.. UpperBoundsMicroseconds.Select(us => (us / 1_000_000m).ToString(CultureInfo.InvariantCulture))];

    /// <summary>Finite buckets plus the +Inf one.</summary>
    public static int Buckets => UpperBoundsMicroseconds.Length + 1;

    public const int Outcomes = (int)FeedOutcome.BadRequest + 1;

    private const int RowLongs = 32; // 28 buckets and the sum: a row never spills into the next outcome's
    private const int SumIndex = RowLongs - 1;

    private static readonly long[] UpperBoundTicks = [.. UpperBoundsMicroseconds.Select(us => (long)(us * Stopwatch.Frequency / 1_000_000))];

    private readonly StripedCounters _counters = new(Outcomes * RowLongs);

    /// <summary>Counts one request that took <paramref name="elapsedTicks"/> (<see cref="Stopwatch"/> ticks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(FeedOutcome outcome, long elapsedTicks)
    {
        var bounds = UpperBoundTicks;
        var bucket = 0;
        while (bucket < bounds.Length && elapsedTicks > bounds[bucket])
            bucket++;
        var row = _counters.Slot((int)outcome * RowLongs);
        _counters.Add(row + bucket, 1);
        _counters.Add(row + SumIndex, elapsedTicks);
    }

    /// <summary>Requests of <paramref name="outcome"/> in bucket <paramref name="bucket"/> alone (not cumulative); the last bucket is +Inf.</summary>
    public long Count(FeedOutcome outcome, int bucket) => _counters.Sum((int)outcome * RowLongs + bucket);

    /// <summary>
    /// Requests of <paramref name="outcome"/>: every bucket's count summed. The one count of requests by outcome
    /// (<c>recfeed_requests_total</c>), so the request path adds to one histogram and to nothing else.
    /// </summary>
    public long Requests(FeedOutcome outcome)
    {
        long sum = 0;
        for (var bucket = 0; bucket < Buckets; bucket++)
            sum += Count(outcome, bucket);
        return sum;
    }

    /// <summary>Total time of the requests of <paramref name="outcome"/>, in seconds.</summary>
    public double SumSeconds(FeedOutcome outcome) => (double)_counters.Sum((int)outcome * RowLongs + SumIndex) / Stopwatch.Frequency;
}
