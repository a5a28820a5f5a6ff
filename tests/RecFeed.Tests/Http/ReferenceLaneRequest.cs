using System.Text;
using RecFeed.Http.FastPath;
using RecFeed.Transport.Epoll;

namespace RecFeed.Tests.Http;

/// <summary>
/// The fast lane's parser as it was before its header scan was rewritten for speed (main at a3084ac), kept as it was
/// as the reference the rewrite must agree with on every input (<see cref="LaneRequestEquivalenceTests"/>): this one
/// was proven against Kestrel by <see cref="FastLaneDifferentialTests"/>, and is plain enough to read as the rules.
/// </summary>
internal static class ReferenceLaneRequest
{
    // The limits are the lane's own: the reference pins the rules, the differential test pins the limits against Kestrel.
    private const int MaxRequest = LaneRequest.MaxRequest, MaxRequestLine = LaneRequest.MaxRequestLine, MaxHeaders = LaneRequest.MaxHeaders;

    private static ReadOnlySpan<byte> Method => "GET "u8;
    private static ReadOnlySpan<byte> Version => " HTTP/1.1"u8;
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
        var lineEnd = head.IndexOf(Crlf);
        var line = head[..lineEnd];
        if (lineEnd + Crlf.Length > MaxRequestLine || !line.EndsWith(Version) || line.Length <= Method.Length + Version.Length)
            return LaneResult.HandOff;
        target = line[Method.Length..^Version.Length];
        if (target[0] != '/' || target.IndexOfAnyExcept(TargetBytes) >= 0)
            return LaneResult.HandOff;
        if (!HeadersTaken(head[(lineEnd + Crlf.Length)..]))
            return LaneResult.HandOff;
        length = end + EndOfHead.Length;
        return LaneResult.Answered;
    }

    private static bool HeadersTaken(ReadOnlySpan<byte> headers)
    {
        var hosts = 0;
        var others = 0;
        while (!headers.IsEmpty)
        {
            var lineEnd = headers.IndexOf(Crlf);
            var line = headers[..lineEnd];
            headers = headers[(lineEnd + Crlf.Length)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].IndexOfAnyExcept(TokenBytes) >= 0)
                return false;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (value.IndexOfAnyExcept(ValueBytes) >= 0)
                return false;
            if (name.Length == 4 && Ascii.EqualsIgnoreCase(name, "host"u8))
            {
                if (++hosts > 1 || !IsHost(value))
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
        var colon = value.IndexOf((byte)':');
        var name = colon < 0 ? value : value[..colon];
        if (name.IsEmpty || name.IndexOfAnyExcept(HostBytes) >= 0)
            return false;
        if (colon < 0)
            return true;
        var port = value[(colon + 1)..];
        return !port.IsEmpty && port.Length <= 5 && port.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    /// <summary>Headers that change how a request is read or whether the connection lives on.</summary>
    private static bool IsFraming(ReadOnlySpan<byte> name) =>
        Ascii.EqualsIgnoreCase(name, "content-length"u8) || Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8)
        || Ascii.EqualsIgnoreCase(name, "connection"u8) || Ascii.EqualsIgnoreCase(name, "expect"u8)
        || Ascii.EqualsIgnoreCase(name, "upgrade"u8) || Ascii.EqualsIgnoreCase(name, "te"u8)
        || Ascii.EqualsIgnoreCase(name, "keep-alive"u8) || Ascii.EqualsIgnoreCase(name, "trailer"u8)
        || Ascii.EqualsIgnoreCase(name, "http2-settings"u8);

    internal static readonly System.Buffers.SearchValues<byte> TargetBytes =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/?=&-_"u8);

    internal static readonly System.Buffers.SearchValues<byte> TokenBytes =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"u8);

    internal static readonly System.Buffers.SearchValues<byte> HostBytes =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-"u8);

    private static readonly System.Buffers.SearchValues<byte> ValueBytes = System.Buffers.SearchValues.Create(VisibleAscii());

    private static byte[] VisibleAscii()
    {
        var bytes = new List<byte> { (byte)'\t' };
        for (var b = 0x20; b < 0x7F; b++)
            bytes.Add((byte)b);
        return [.. bytes];
    }
}
