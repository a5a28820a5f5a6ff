using Microsoft.AspNetCore.Http;
using RecFeed.Feed;
using RecFeed.Http.Endpoints;

namespace RecFeed.Http.FastPath;

/// <summary>
/// An answer as the bytes Kestrel would send for it, written into the fast lane's output: status line,
/// <c>Content-Length</c>, <c>Content-Type</c>, <c>Date</c>, in Kestrel's order and spelling (no <c>Server</c>
/// header: recfeed turns it off), then the body. Every fixed part is a pre-encoded constant.
/// </summary>
public ref struct LaneResponse(Span<byte> output, ReadOnlySpan<byte> date) : IFeedResponse
{
    /// <summary>The longest head: the longest status line, both headers with a ten-digit length, the date, the blank line.</summary>
    private const int MaxHead = 192;

    private readonly Span<byte> _output = output;
    private readonly ReadOnlySpan<byte> _date = date;

    /// <summary>Bytes written: the whole answer, once one is.</summary>
    public int Written { get; private set; }

    private static ReadOnlySpan<byte> Ok => "HTTP/1.1 200 OK\r\n"u8;
    private static ReadOnlySpan<byte> BadRequest => "HTTP/1.1 400 Bad Request\r\n"u8;
    private static ReadOnlySpan<byte> Misdirected => "HTTP/1.1 421 Misdirected Request\r\n"u8;
    private static ReadOnlySpan<byte> Unavailable => "HTTP/1.1 503 Service Unavailable\r\n"u8;
    private static ReadOnlySpan<byte> ContentLength => "Content-Length: "u8;
    private static ReadOnlySpan<byte> JsonType => "\r\nContent-Type: application/json\r\nDate: "u8;
    private static ReadOnlySpan<byte> TextType => "\r\nContent-Type: text/plain; charset=utf-8\r\nDate: "u8;
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    public readonly bool Fits(int maxBodyLength) => _output.Length >= MaxHead + maxBodyLength;

    /// <summary>
    /// The body is written first, after room for the longest head, so its length comes from the write instead of a
    /// pass of its own over the items; then the head, and the body moved up to it (a copy of a few dozen bytes, a
    /// third of what counting the digits cost).
    /// </summary>
    public void Feed(scoped ReadOnlySpan<uint> items)
    {
        var length = FeedBody.Write(_output[MaxHead..], items);
        var at = Head(Ok, length, JsonType);
        _output.Slice(MaxHead, length).CopyTo(_output[at..]);
        Written = at + length;
    }

    void IFeedResponse.Text(int status, scoped ReadOnlySpan<byte> body)
    {
        var line = status switch
        {
            StatusCodes.Status400BadRequest => BadRequest,
            StatusCodes.Status421MisdirectedRequest => Misdirected,
            _ => Unavailable,
        };
        var at = Head(line, body.Length, TextType);
        body.CopyTo(_output[at..]);
        Written = at + body.Length;
    }

    private readonly int Head(ReadOnlySpan<byte> statusLine, int length, ReadOnlySpan<byte> contentType)
    {
        var at = Append(0, statusLine);
        at = Append(at, ContentLength);
        length.TryFormat(_output[at..], out var digits);
        at = Append(at + digits, contentType);
        at = Append(at, _date);
        return Append(at, EndOfHead);
    }

    private readonly int Append(int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_output[at..]);
        return at + bytes.Length;
    }
}
