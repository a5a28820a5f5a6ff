using System.Text;

namespace RecFeed.Tests.Hardening;

/// <summary>
/// Seeded request streams for the fast lane's differential test: a few requests pipelined on one connection, each
/// either shaped like the lane's (every variation of target, <c>Host</c> and other headers it must take or hand off)
/// or one of <see cref="FuzzCases"/>' malformed ones; cut at random byte boundaries, and ended with a request that
/// closes, a FIN, or nothing. The same seed gives the same streams.
/// </summary>
/// <param name="lanePrefixes">What the lane-shaped requests' targets start with instead of <c>/feed/</c> (named
/// feeds' <c>/feed/video/</c>, names not served); null for <c>/feed/</c> alone, the streams the seeds were found with.</param>
public sealed class LaneStreams(int seed, string[]? lanePrefixes = null)
{
    public enum Ending
    {
        /// <summary><see cref="Support.RawHttp.Closer"/> last: the server answers it and closes.</summary>
        Closer,

        /// <summary>The client shuts its side down after the last byte.</summary>
        Fin,

        /// <summary>The client sends nothing more and waits.</summary>
        Open,
    }

    /// <summary>One connection's bytes, where they are cut into sends, and how the client ends.</summary>
    public sealed record Stream(byte[] Bytes, int[] Cuts, Ending End)
    {
        public override string ToString() => $"{End}, cuts at {string.Join(' ', Cuts)}: {Encoding.Latin1.GetString(Bytes).ReplaceLineEndings("\\n")}";
    }

    private static readonly string[] Users = ["0", "1", "7", "39", "40", "41", "99", "abc", "4294967295", "4294967296", "007", "-1", "1_2", "a-b"];
    private static readonly string[] Prefixes = ["/feed/", "/feed/", "/feed/", "/FEED/", "/Feed/", "/feeds/", "/feed", "/feed//", "/x/feed/"];
    private static readonly string[] Queries =
        ["", "", "", "?size=1", "?size=3", "?size=5", "?size=2000", "?size=2001", "?size=0", "?size=", "?size", "?",
            "?x=1&size=2", "?size=1&size=1", "?size=2&", "?a=b",
         "?size=00002", "?size=99999999999", "/", "/2"];
    private static readonly string[] Hosts = ["x", "x", "localhost:8080", "a.b-c", "127.0.0.1", "[::1]", "", "x:", "x:99999", "x y", "x_y", "\u00e9"];
    private static readonly string[] Headers =
    [
        "User-Agent: wrk", "Accept: */*", "X-Trace: abc def", "x-empty:", "X-Tab:\tv\t", "Connection: keep-alive", "Connection: close",
        "Content-Length: 0", "Content-Length: 3", "Transfer-Encoding: chunked", "Expect: 100-continue", "Upgrade: h2c", " folded",
        "\tfolded", "X-Bad: a\u0001b", "X-Nonascii: \u00e9", "Host : x", "HOST: y", "X-Space : v", "Keep-Alive: 5", "TE: trailers",
        ": nameless", "X-Colon: a:b", "X-Del: a\u007fb", "X-Nul: a\0b",
    ];
    private static readonly string[] Versions = ["HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "http/1.1"];
    private static readonly string[] Methods = ["GET", "GET", "GET", "GET", "HEAD", "POST", "get", "GET "];

    private readonly Random _random = new(seed);
    private readonly FuzzCases _fuzz = new(seed);

    public IEnumerable<Stream> Take(int count)
    {
        for (var i = 0; i < count; i++)
            yield return Next();
    }

    private Stream Next()
    {
        var bytes = new List<byte>();
        for (var i = _random.Next(1, 6); i > 0; i--)
            bytes.AddRange(_random.Next(3) == 0 ? Malformed() : LaneShaped());
        var end = _random.Next(20) switch
        {
            < 15 => Ending.Closer,
            < 19 => Ending.Fin,
            _ => Ending.Open,
        };
        if (end == Ending.Closer)
            bytes.AddRange(Support.RawHttp.Closer);
        var cuts = Enumerable.Range(0, _random.Next(4)).Select(_ => _random.Next(1, bytes.Count)).Distinct().Order().ToArray();
        return new Stream([.. bytes], cuts, end);
    }

    private string Pick(string[] options) => options[_random.Next(options.Length)];

    private string LanePrefix() => lanePrefixes is null ? "/feed/" : Pick(lanePrefixes);

    private byte[] LaneShaped()
    {
        var lane = _random.Next(3) != 0; // most requests the lane takes; the rest change one thing
        var text = new StringBuilder();
        text.Append(lane ? "GET" : Pick(Methods)).Append(' ');
        text.Append(lane ? LanePrefix() : Pick(Prefixes)).Append(lane ? Users[_random.Next(7)] : Pick(Users)).Append(Pick(Queries));
        text.Append(' ').Append(lane ? "HTTP/1.1" : Pick(Versions)).Append("\r\n");
        var hosts = lane ? 1 : _random.Next(3);
        for (var i = 0; i < hosts; i++)
            text.Append(_random.Next(2) == 0 ? "Host: " : "host:").Append(lane ? Hosts[_random.Next(5)] : Pick(Hosts)).Append("\r\n");
        for (var i = _random.Next(4); i > 0; i--)
            text.Append(lane ? Headers[_random.Next(5)] : Pick(Headers)).Append("\r\n");
        text.Append("\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>
    /// A malformed request the client reads the answer of (the others end the connection themselves), and not one
    /// that reaches /metrics: its answer differs between any two servers.
    /// </summary>
    private byte[] Malformed()
    {
        while (true)
        {
            var fuzz = _fuzz.Next();
            if (fuzz.End == FuzzCase.Ending.Read && fuzz.Bytes.AsSpan().IndexOf("metrics"u8) < 0)
                return fuzz.Bytes;
        }
    }
}
