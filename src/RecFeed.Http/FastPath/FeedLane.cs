using RecFeed.Http.Endpoints;
using RecFeed.Transport.Epoll;

namespace RecFeed.Http.FastPath;

/// <summary>
/// The epoll transport's fast lane for <c>GET /feed/{userId}</c> and <c>/feed/{name}/{userId}</c>: a request
/// <see cref="LaneRequest"/> takes whole, whose path <see cref="FeedFastPath"/> would take, is answered by the same
/// feed's <see cref="FeedHandler"/> (same parse, same outcome, same histogram) into a <see cref="LaneResponse"/> on the
/// loop's thread. Everything else is handed to Kestrel, including the paths the fast path leaves to routing, so the
/// contract stays the one Kestrel keeps.
/// </summary>
public sealed class FeedLane(FeedFastPath paths, HttpDate date) : IRequestLane
{
    public LaneResult TryAnswer(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written, long receivedAt)
    {
        consumed = 0;
        written = 0;
        var parsed = LaneRequest.Parse(input, out var length, out var target);
        if (parsed != LaneResult.Answered)
            return parsed;
        var query = target.IndexOf((byte)'?');
        var path = query < 0 ? target : target[..query];
        // A name not served is a client's mistake, rare: Kestrel answers its 404, as the fast path does.
        if (!paths.TryRoute(path, out var feed, out var userIdStart) || feed is null)
            return LaneResult.HandOff;
        var response = new LaneResponse(output, date.Current);
        if (!feed.Answer(ref response, path[userIdStart..], query < 0 ? default : target[query..], receivedAt))
            return LaneResult.OutputFull;
        consumed = length;
        written = response.Written;
        return LaneResult.Answered;
    }
}
