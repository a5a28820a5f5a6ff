using System.Buffers.Binary;
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

    /// <summary>"host" read as a little-endian 32-bit integer.</summary>
    private const uint HostLower = 'h' | 'o' << 8 | 's' << 16 | (uint)'t' << 24;

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
        if (Taken(input[..Math.Min(input.Length, MaxRequest)], out length, out target))
            return LaneResult.Answered;
        // Taken left length and target empty. Not taken: wait only while no end of the head has come and the limit is not reached. Every request that
        // is whole, within the limit and of the lane's shape was taken above, so this is the whole rest of the rule.
        return input.Length < MaxRequest && input.IndexOf(EndOfHead) < 0 ? LaneResult.NeedMore : LaneResult.HandOff;
    }

    /// <summary>
    /// One pass forward over a request that starts with the method: the target is the run of target bytes after it,
    /// the version and CRLF must follow (a space ends the run, neither holds a CR, so that CRLF is the line's first),
    /// then header lines, each of value bytes up to its first byte that is not one, which must be the CR of a CRLF,
    /// until the empty line. A line is its name's shape (one table scan, which also finds the colon) and the few
    /// names that matter, picked by length and first byte. False for anything else, a cut included.
    /// </summary>
    private static bool Taken(ReadOnlySpan<byte> input, out int length, out ReadOnlySpan<byte> target)
    {
        length = 0;
        target = default;
        if (input.Length <= Method.Length || input[Method.Length] != '/')
            return false;
        var targetLength = LaneBytes.Span(input, Method.Length, LaneBytes.Target);
        var at = Method.Length + targetLength;
        if (!input[at..].StartsWith(VersionLine))
            return false;
        at += VersionLine.Length;
        if (at > MaxRequestLine)
            return false;
        var hosts = 0;
        var others = 0;
        while (!input[at..].StartsWith(Crlf))
        {
            var line = Line(input, at);
            if (line < 0 || !HeaderTaken(input, at, line, ref hosts, ref others))
                return false;
            at += line + Crlf.Length;
        }
        if (hosts != 1)
            return false;
        length = at + Crlf.Length;
        target = input.Slice(Method.Length, targetLength);
        return true;
    }

    /// <summary>The length of the line at <paramref name="start"/>: tabs and visible ASCII, then CRLF; else -1.</summary>
    private static int Line(ReadOnlySpan<byte> input, int start)
    {
        var at = start;
        while (true)
        {
            at += LaneBytes.Span(input, at, LaneBytes.Visible);
            if (at == input.Length)
                return -1;
            if (input[at] != '\t')
                return input[at] == '\r' && at + 1 < input.Length && input[at + 1] == '\n' ? at - start : -1;
            at++;
        }
    }

    /// <summary>The header line of <paramref name="line"/> bytes at <paramref name="start"/>.</summary>
    private static bool HeaderTaken(ReadOnlySpan<byte> input, int start, int line, ref int hosts, ref int others)
    {
        var colon = LaneBytes.Span(input, start, LaneBytes.Token);
        if (colon == 0 || colon == line || input[start + colon] != ':')
            return false;
        var name = input.Slice(start, colon);
        // Four letters ORed with 0x20 are "host" exactly when they are "host" in any case: only a letter's two
        // cases meet under the OR. One compare, where Is would call a general one on every request.
        if (name.Length == 4 && (BinaryPrimitives.ReadUInt32LittleEndian(name) | 0x2020_2020) == HostLower)
        {
            // The value without the optional whitespace around it.
            var value = start + colon + 1;
            var end = start + line;
            while (value < end && input[value] is (byte)' ' or (byte)'\t')
                value++;
            while (end > value && input[end - 1] is (byte)' ' or (byte)'\t')
                end--;
            return ++hosts == 1 && IsHost(input, value, end - value);
        }
        return !IsFraming(name) && ++others <= MaxHeaders;
    }

    /// <summary>
    /// The value of <paramref name="length"/> bytes at <paramref name="start"/> is a name and an optional port: what
    /// Kestrel's host check takes, and nothing it would refuse. The name's scan stops inside the value: a space, a
    /// tab or the line's CR follows it.
    /// </summary>
    private static bool IsHost(ReadOnlySpan<byte> input, int start, int length)
    {
        var name = LaneBytes.Span(input, start, LaneBytes.Host);
        if (name == 0)
            return false;
        if (name == length)
            return true;
        var port = input[(start + name + 1)..(start + length)];
        if (input[start + name] != ':' || port.IsEmpty || port.Length > 5)
            return false;
        foreach (var b in port)
            if (!char.IsAsciiDigit((char)b))
                return false;
        return true;
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
}
