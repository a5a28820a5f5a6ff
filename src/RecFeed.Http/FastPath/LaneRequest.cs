using System.Text;
using RecFeed.Transport.Epoll;

namespace RecFeed.Http.FastPath;

/// <summary>
/// The fast lane's HTTP/1.1 parser, deliberately narrow: it takes only <c>GET</c> with an origin-form target of
/// letters, digits and <c>/?=&amp;-_</c> (nothing Kestrel would decode or normalise), <c>HTTP/1.1</c>, one
/// <c>Host</c> of name characters and an optional port, and at most <see cref="MaxHeaders"/> other headers of token
/// names and visible-ASCII values, in at most <see cref="MaxRequest"/> bytes (the line at most
/// <see cref="MaxRequestLine"/>), every line ending in CRLF. Anything
/// that could change how Kestrel answers or whether it keeps the connection (a body or its framing, <c>Expect</c>,
/// <c>Upgrade</c>, <c>Connection</c>, obsolete line folding, a limit approached, any other byte) is a hand-off: Kestrel
/// stays the judge of every request this parser does not take.
/// </summary>
public static class LaneRequest
{
    /// <summary>Far below Kestrel's limits (1 KiB request line, 8 KiB of headers), so a hand-off never hides a 414 or 431.</summary>
    public const int MaxRequest = 4096;

    /// <summary>
    /// The longest request line, CRLF included: half Kestrel's 1 KiB, so a line Kestrel refuses (414) is never one
    /// the lane takes. Seed 20261207 of the differential test found the lane answering a 2 KiB line.
    /// </summary>
    public const int MaxRequestLine = 512;

    /// <summary>Headers besides <c>Host</c>; Kestrel allows 32 in all.</summary>
    public const int MaxHeaders = 24;

    private static ReadOnlySpan<byte> Method => "GET "u8;
    private static ReadOnlySpan<byte> Version => " HTTP/1.1"u8;
    private static ReadOnlySpan<byte> VersionLine => " HTTP/1.1\r\n"u8;
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>
    /// <see cref="LaneResult.Answered"/> (meaning: whole and taken) with the request's <paramref name="length"/> and
    /// <paramref name="target"/>, <see cref="LaneResult.NeedMore"/> for a prefix of one, else
    /// <see cref="LaneResult.HandOff"/>.
    /// </summary>
    public static LaneResult Parse(ReadOnlySpan<byte> input, out int length, out ReadOnlySpan<byte> target)
    {
        length = 0;
        target = default;
        if (!input[..Math.Min(input.Length, Method.Length)].SequenceEqual(Method[..Math.Min(input.Length, Method.Length)]))
            return LaneResult.HandOff;
        var end = input.IndexOf(EndOfHead);
        if (end < 0)
            return input.Length < MaxRequest ? LaneResult.NeedMore : LaneResult.HandOff;
        if (end + EndOfHead.Length > MaxRequest)
            return LaneResult.HandOff;
        var head = input[..(end + Crlf.Length)];
        // The target is the run of target bytes after the method, and the version and CRLF must follow it: a space
        // ends the run, and neither part holds a CR, so that CRLF is the request line's first.
        var targetLength = LaneBytes.Span(head[Method.Length..], LaneBytes.Target);
        var lineEnd = Method.Length + targetLength + Version.Length;
        if (targetLength == 0 || head[Method.Length] != '/' || lineEnd + Crlf.Length > MaxRequestLine
            || !head[(Method.Length + targetLength)..].StartsWith(VersionLine))
            return LaneResult.HandOff;
        target = head.Slice(Method.Length, targetLength);
        if (!HeadersTaken(head[(lineEnd + Crlf.Length)..]))
            return LaneResult.HandOff;
        length = end + EndOfHead.Length;
        return LaneResult.Answered;
    }

    /// <summary>
    /// The header block, each line ending in CRLF. One vectorised pass proves every byte is a value byte, CR or LF;
    /// each line then ends at its first CR or LF, which must be a CR and an LF, so no line holds a bare one. What is
    /// left of a line is its name's shape (one table scan, which also finds the colon) and the few names that
    /// matter, picked by length and first byte.
    /// </summary>
    private static bool HeadersTaken(ReadOnlySpan<byte> headers)
    {
        if (headers.IndexOfAnyExcept(HeadBytes) >= 0)
            return false;
        var hosts = 0;
        var others = 0;
        var rest = headers;
        while (!rest.IsEmpty)
        {
            var lineEnd = rest.IndexOfAny((byte)'\r', (byte)'\n');
            if (lineEnd < 0 || rest[lineEnd] != '\r' || lineEnd + 1 == rest.Length || rest[lineEnd + 1] != '\n')
                return false;
            var line = rest[..lineEnd];
            rest = rest[(lineEnd + Crlf.Length)..];
            var colon = LaneBytes.Span(line, LaneBytes.Token);
            if (colon == 0 || colon == line.Length || line[colon] != ':')
                return false;
            var name = line[..colon];
            if (name.Length == 4 && Is(name, "host"u8))
            {
                if (++hosts > 1 || !IsHost(TrimSpaces(line[(colon + 1)..])))
                    return false;
            }
            else if (IsFraming(name) || ++others > MaxHeaders)
                return false;
        }
        return hosts == 1;
    }

    /// <summary>A name and an optional port: what Kestrel's host check takes, and nothing it would refuse.</summary>
    private static bool IsHost(ReadOnlySpan<byte> value)
    {
        var name = LaneBytes.Span(value, LaneBytes.Host);
        if (name == 0)
            return false;
        if (name == value.Length)
            return true;
        var port = value[(name + 1)..];
        if (value[name] != ':' || port.IsEmpty || port.Length > 5)
            return false;
        foreach (var b in port)
            if (!char.IsAsciiDigit((char)b))
                return false;
        return true;
    }

    /// <summary>The value without the spaces and tabs around it (a header value's optional whitespace).</summary>
    private static ReadOnlySpan<byte> TrimSpaces(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length && value[start] is (byte)' ' or (byte)'\t')
            start++;
        var end = value.Length;
        while (end > start && value[end - 1] is (byte)' ' or (byte)'\t')
            end--;
        return value[start..end];
    }

    /// <summary>
    /// Headers that change how a request is read or whether the connection lives on: content-length,
    /// transfer-encoding, connection, expect, upgrade, te, keep-alive, trailer, http2-settings. A name is compared
    /// only with those of its length.
    /// </summary>
    private static bool IsFraming(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => Is(name, "te"u8),
        6 => Is(name, "expect"u8),
        7 => Is(name, "upgrade"u8) || Is(name, "trailer"u8),
        10 => Is(name, "connection"u8) || Is(name, "keep-alive"u8),
        14 => Is(name, "content-length"u8) || Is(name, "http2-settings"u8),
        17 => Is(name, "transfer-encoding"u8),
        _ => false,
    };

    /// <summary>
    /// <paramref name="name"/> (a token, of <paramref name="lower"/>'s length) is <paramref name="lower"/> in any case.
    /// The first byte decides most: a token's byte ORed with 0x20 is a lower-case letter only when it is that letter.
    /// </summary>
    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lower) =>
        (name[0] | 0x20) == lower[0] && Ascii.EqualsIgnoreCase(name, lower);

    /// <summary>What a header block may hold: value bytes (tab and visible ASCII, which include the name's), CR, LF.</summary>
    private static readonly System.Buffers.SearchValues<byte> HeadBytes = System.Buffers.SearchValues.Create(HeadBlockBytes());

    private static byte[] HeadBlockBytes()
    {
        var bytes = new List<byte> { (byte)'\t', (byte)'\r', (byte)'\n' };
        for (var b = 0x20; b < 0x7F; b++)
            bytes.Add((byte)b);
        return [.. bytes];
    }
}
