using System.Buffers;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using RecFeed.Feed;

namespace RecFeed.Http.Endpoints;

/// <summary>
/// <c>GET /feed/{userId}?size=N</c>: parse, let <see cref="FeedService"/> fill the items, write the body straight
/// into Kestrel's response buffer. Every fixed byte is encoded once, here, not per request. It works on the
/// connection's features, not an HttpContext, so the fast path (<see cref="FeedApplication"/>) and the
/// routed endpoints run exactly this code without the host building a context for the former.
/// </summary>
public sealed class FeedHandler
{
    /// <summary>Above this many items the scratch list comes from the pool rather than the stack.</summary>
    private const int StackItems = 512;

    private static ReadOnlySpan<byte> InvalidUserId => "invalid user id: expected decimal digits, 0..4294967295\n"u8;
    private static ReadOnlySpan<byte> Unavailable => "no items to return: the personal feed is exhausted and there are no fallback items outside it\n"u8;
    private static ReadOnlySpan<byte> Misdirected => "user belongs to another shard: route it by userId mod shard count\n"u8;

    private static readonly string JsonContentType = "application/json";
    private static readonly string TextContentType = "text/plain; charset=utf-8";

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
        var started = Stopwatch.GetTimestamp();
        var outcome = Answer(context, userId);
        _requests.Observe(outcome, Stopwatch.GetTimestamp() - started);
        return Task.CompletedTask;
    }

    private FeedOutcome Answer(IFeatureCollection context, ReadOnlySpan<char> userId)
    {
        if (!FeedRequest.TryParseUserId(userId, out var id))
            return BadRequest(context, InvalidUserId);
        // One read of the current generation's row length: a reload between two reads could pair different limits.
        var maxSize = _service.MaxSize;
        var query = context.GetRequiredFeature<IHttpRequestFeature>().QueryString;
        if (!FeedRequest.TryParseSize(query, maxSize, FeedService.DefaultSizeFor(maxSize), out var size))
            return BadRequest(context, InvalidSize(maxSize));

        uint[]? rented = null;
        var items = size <= StackItems ? stackalloc uint[size] : (rented = ArrayPool<uint>.Shared.Rent(size)).AsSpan(0, size);
        try
        {
            var outcome = _service.Serve(id, items, out var count);
            switch (outcome)
            {
                case FeedOutcome.Misdirected:
                    WriteText(context, StatusCodes.Status421MisdirectedRequest, Misdirected);
                    break;
                case FeedOutcome.Unavailable:
                    WriteText(context, StatusCodes.Status503ServiceUnavailable, Unavailable);
                    break;
                default:
                    WriteFeed(context, items[..count]);
                    break;
            }
            return outcome;
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

    private FeedOutcome BadRequest(IFeatureCollection context, ReadOnlySpan<byte> reason)
    {
        WriteText(context, StatusCodes.Status400BadRequest, reason);
        return FeedOutcome.BadRequest;
    }

    private static void WriteFeed(IFeatureCollection context, ReadOnlySpan<uint> items)
    {
        var length = FeedBody.Length(items);
        var headers = context.GetRequiredFeature<IHttpResponseFeature>().Headers;
        headers.ContentType = JsonContentType;
        headers.ContentLength = length;
        var writer = context.GetRequiredFeature<IHttpResponseBodyFeature>().Writer;
        FeedBody.Write(writer.GetSpan(length), items);
        writer.Advance(length);
    }

    internal static void WriteText(IFeatureCollection context, int status, ReadOnlySpan<byte> body)
    {
        var response = context.GetRequiredFeature<IHttpResponseFeature>();
        response.StatusCode = status;
        response.Headers.ContentType = TextContentType;
        response.Headers.ContentLength = body.Length;
        var writer = context.GetRequiredFeature<IHttpResponseBodyFeature>().Writer;
        body.CopyTo(writer.GetSpan(body.Length));
        writer.Advance(body.Length);
    }
}
