using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using RecFeed.Feed;
using RecFeed.Http.FastPath;

namespace RecFeed.Http.Endpoints;

/// <summary>
/// <c>GET /feed/{userId}?size=N</c>: parse, let <see cref="FeedService"/> fill the items, write the body straight
/// into the response's buffer (<see cref="IFeedResponse"/>). Every fixed byte is encoded once, here, not per request.
/// It works on the connection's features, not an HttpContext, so the fast path (<see cref="FeedApplication"/>) and
/// the routed endpoints run exactly this code without the host building a context for the former; the epoll
/// transport's fast lane (<see cref="FeedLane"/>) runs it on its own bytes.
/// </summary>
public sealed class FeedHandler
{
    /// <summary>Above this many items the scratch list comes from the pool rather than the stack.</summary>
    private const int StackItems = 512;

    private static ReadOnlySpan<byte> InvalidUserId => "invalid user id: expected decimal digits, 0..4294967295\n"u8;
    private static ReadOnlySpan<byte> Unavailable => "no items to return: the personal feed is exhausted and there are no fallback items outside it\n"u8;
    private static ReadOnlySpan<byte> Misdirected => "user belongs to another shard: route it by userId mod shard count\n"u8;

    /// <summary>The longest body an answer other than a feed or a bad size can have.</summary>
    private static readonly int LongestStatusBody = Math.Max(Unavailable.Length, Misdirected.Length);

    private readonly FeedService _service;
    private readonly RequestDurations _requests;

    /// <summary>The 400 body for a bad size names the limit, which a reload can change; rebuilt only then.</summary>
    private InvalidSizeBody _invalidSize = new(0, []);

    /// <param name="requests">Where every request is counted, once, by outcome and duration.</param>
    public FeedHandler(FeedService service, RequestDurations requests) => (_service, _requests) = (service, requests);

    /// <summary>
    /// Answers one feed request and records its duration. The clock starts here, once Kestrel has parsed the request
    /// (it exposes no receive time): the histogram covers the feed's work and the body's write into Kestrel's buffer.
    /// Outside it are the read before (with the epoll transport, recfeed's own loop), Kestrel's parsing, and the
    /// flush to the socket after.
    /// </summary>
    public Task Feed(IFeatureCollection context, ReadOnlySpan<char> userId)
    {
        var response = new FeatureResponse(context);
        Answer(ref response, userId, context.GetRequiredFeature<IHttpRequestFeature>().QueryString, Stopwatch.GetTimestamp());
        return Task.CompletedTask;
    }

    /// <summary>
    /// Answers one feed request into <paramref name="response"/> and records its duration, as <see cref="Feed"/>
    /// does; false, with nothing done or counted, when the response could not hold the answer
    /// (<see cref="IFeedResponse.Fits"/>). The fast lane's way in: it parsed the request itself, and passes its
    /// bytes (<typeparamref name="TChar"/> <c>byte</c>; Kestrel's decoded path is <c>char</c>) and the time its loop
    /// woke with them as <paramref name="started"/>, so its histogram also covers the lane's own parsing.
    /// </summary>
    public bool Answer<TResponse, TChar>(ref TResponse response, scoped ReadOnlySpan<TChar> userId, scoped ReadOnlySpan<TChar> query, long started)
        where TResponse : IFeedResponse, allows ref struct
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        if (Answer(ref response, userId, query, out var outcome))
        {
            _requests.Observe(outcome, Stopwatch.GetTimestamp() - started);
            return true;
        }
        return false;
    }

    private bool Answer<TResponse, TChar>(ref TResponse response, scoped ReadOnlySpan<TChar> userId, scoped ReadOnlySpan<TChar> query, out FeedOutcome outcome)
        where TResponse : IFeedResponse, allows ref struct
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        outcome = FeedOutcome.BadRequest;
        if (!FeedRequest.TryParseUserId(userId, out var id))
            return BadRequest(ref response, InvalidUserId);
        // One read of the current generation's row length: a reload between two reads could pair different limits.
        var maxSize = _service.MaxSize;
        if (!FeedRequest.TryParseSize(query, maxSize, FeedService.DefaultSizeFor(maxSize), out var size))
            return BadRequest(ref response, InvalidSize(maxSize));
        if (!response.Fits(Math.Max(FeedBody.MaxLength(size), LongestStatusBody)))
            return false;

        uint[]? rented = null;
        var items = size <= StackItems ? stackalloc uint[size] : (rented = ArrayPool<uint>.Shared.Rent(size)).AsSpan(0, size);
        try
        {
            outcome = _service.Serve(id, items, out var count);
            switch (outcome)
            {
                case FeedOutcome.Misdirected:
                    response.Text(StatusCodes.Status421MisdirectedRequest, Misdirected);
                    break;
                case FeedOutcome.Unavailable:
                    response.Text(StatusCodes.Status503ServiceUnavailable, Unavailable);
                    break;
                default:
                    response.Feed(items[..count]);
                    break;
            }
            return true;
        }
        finally
        {
            if (rented != null)
                ArrayPool<uint>.Shared.Return(rented);
        }
    }

    private byte[] InvalidSize(int maxSize)
    {
        var body = _invalidSize;
        if (body.MaxSize != maxSize)
            _invalidSize = body = new InvalidSizeBody(maxSize, Encoding.UTF8.GetBytes($"invalid size: expected one integer, 1..{maxSize}\n"));
        return body.Bytes;
    }

    private sealed record InvalidSizeBody(int MaxSize, byte[] Bytes);

    /// <summary><c>/feed</c> and <c>/feed/</c>: a request without a user id, answered (and timed) as an empty one.</summary>
    public Task MissingUserId(IFeatureCollection context) => Feed(context, default);

    private static bool BadRequest<TResponse>(ref TResponse response, scoped ReadOnlySpan<byte> reason)
        where TResponse : IFeedResponse, allows ref struct
    {
        if (!response.Fits(reason.Length))
            return false;
        response.Text(StatusCodes.Status400BadRequest, reason);
        return true;
    }
}
