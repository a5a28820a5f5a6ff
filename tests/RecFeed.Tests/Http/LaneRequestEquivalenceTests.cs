using System.Text;
using RecFeed.Http.FastPath;
using RecFeed.Transport.Epoll;

namespace RecFeed.Tests.Http;

/// <summary>
/// The fast lane's parser against <see cref="ReferenceLaneRequest"/>, the one it replaced: on seeded requests built to
/// hit what a cheaper scan could get wrong (names of a framing name's length or first letter, case variants,
/// obsolete folding, bad bytes, NUL, bare CR and LF, limits approached), then mutated byte by byte and cut at every
/// length, both must return the same result, length and target. A seed that once found a difference stays here.
/// </summary>
public sealed class LaneRequestEquivalenceTests
{
    private const int Requests = 20_000;

    /// <summary>Names the lane takes: ordinary ones, and ones a framing name's length or first letter away from one.</summary>
    private static readonly string[] Benign =
    [
        "User-Agent", "Accept", "X-Trace", "Hosu", "Gost", "Xost", "Hos", "Hostt", "Content-Lengti", "Dontent-Length",
        "Content_Length", "Transfer-Encodinf", "Uransfer-Encoding", "Connectioo", "Donnection", "Keep-Alivf", "Leep-Alive",
        "Expecu", "Fxpect", "Upgradf", "Vpgrade", "Trailes", "Urailer", "Tf", "Ue", "Http2-Settingt", "Ittp2-Settings",
        "Accepts", "Expects", "X", "x", "!#$%&'*+-.^_`|~",
    ];

    /// <summary>Names that make a hand-off: framing ones in any case, a second host, names that are not tokens.</summary>
    private static readonly string[] Risky =
    [
        "Host", "host", "HOST", "hOsT", "Content-Length", "content-length", "CONTENT-LENGTH", "Transfer-Encoding",
        "TRANSFER-ENCODING", "Connection", "CONNECTION", "Keep-Alive", "KEEP-ALIVE", "Expect", "EXPECT", "Upgrade", "UPGRADE",
        "Trailer", "TRAILER", "TE", "te", "Te", "tE", "Http2-Settings", "HTTP2-SETTINGS", "Bad Name", "Bad(Name)", "Bad\"",
        "Bad/", "Bad@", "Bad\u007f", "Bad\u00e9", "",
    ];

    /// <summary>The first few are values the lane takes anywhere; the rest only outside Host, or nowhere.</summary>
    private static readonly string[] Values =
    [
        "x", "localhost:8080", "127.0.0.1:19650", "a.b-c", "", " x ", "\tx\t", "x:", "x:99999", "x:123456", ":80",
        "x y", "x_y", "[::1]", "a:b", "*/*", "curl/7.88", "a\u0001b", "a\0b", "a\u007fb", "\u00e9", "chunked", "close", "0",
    ];

    private static readonly string[] Targets =
        ["/feed/1", "/feed/123?size=5", "/", "/feed/1?x=1&size=2", "feed/1", "/feed/%31", "/feed/1#x", "/fe ed", "/\u00e9", "//"];

    private static readonly string[] Splices = ["\0", "\r", "\n", "\t", " ", ":", "\u007f", "\u0080", "\u00ff", "\r\n", "\r\n ", "\r\n\r\n"];

    [Theory]
    [InlineData(20261207)]
    [InlineData(1)]
    [InlineData(42)]
    public void The_rewritten_parser_decides_every_request_as_the_reference_does(int seed)
    {
        var random = new Random(seed);
        var differences = new List<string>();
        var results = new Dictionary<LaneResult, int>();
        for (var i = 0; i < Requests && differences.Count < 5; i++)
        {
            var request = Mutate(random, Request(random));
            foreach (var cut in new[] { request.Length, random.Next(request.Length + 1) })
            {
                var result = Compare(request.AsSpan(0, cut), differences);
                results[result] = results.GetValueOrDefault(result) + 1;
            }
        }
        Assert.True(differences.Count == 0, $"seed {seed}:\n" + string.Join('\n', differences));
        // Not vacuous: many requests taken, many handed off, many cut short.
        foreach (var result in new[] { LaneResult.Answered, LaneResult.HandOff, LaneResult.NeedMore })
            Assert.True(results.GetValueOrDefault(result) > Requests / 50, $"{result}: {results.GetValueOrDefault(result)} of {2 * Requests}");
    }

    [Fact]
    public void Requests_at_the_limits_are_decided_as_the_reference_decides_them()
    {
        var differences = new List<string>();
        foreach (var extra in new[] { 0, 23, 24, 25 })
            Compare(Bytes("GET /feed/1 HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Repeat("A: b\r\n", extra)) + "\r\n"), differences);
        foreach (var line in new[] { 500, 501, 502, 503 })
            Compare(Bytes($"GET /{new string('a', line - 16)} HTTP/1.1\r\nHost: x\r\n\r\n"), differences);
        foreach (var total in new[] { 4094, 4095, 4096, 4097 })
            Compare(Bytes($"GET / HTTP/1.1\r\nHost: x\r\nA: {new string('b', total - 33)}\r\n\r\n"), differences);
        Assert.Empty(differences);
    }

    [Fact]
    public void The_byte_table_holds_the_reference_sets_exactly()
    {
        for (var b = 0; b < 256; b++)
        {
            ReadOnlySpan<byte> one = [(byte)b];
            Assert.Equal(ReferenceLaneRequest.TargetBytes.Contains((byte)b), LaneBytes.Span(one, 0, LaneBytes.Target) == 1);
            Assert.Equal(ReferenceLaneRequest.TokenBytes.Contains((byte)b), LaneBytes.Span(one, 0, LaneBytes.Token) == 1);
            Assert.Equal(ReferenceLaneRequest.HostBytes.Contains((byte)b), LaneBytes.Span(one, 0, LaneBytes.Host) == 1);
            Assert.Equal(b is >= ' ' and <= '~', LaneBytes.Span(one, 0, LaneBytes.Visible) == 1);
        }
    }

    [Theory]
    [InlineData(LaneBytes.Target, (byte)'a')]
    [InlineData(LaneBytes.Token, (byte)'a')]
    [InlineData(LaneBytes.Host, (byte)'a')]
    [InlineData(LaneBytes.Visible, (byte)' ')]
    public void The_vector_scan_stops_at_each_byte_outside_the_set_wherever_it_is(byte flag, byte inSet)
    {
        // Inputs of 16 bytes or more take the vector path, the last 16 overlapping what came before, the start
        // anywhere in them: every byte at every position of runs of each length after prefixes outside the set (which
        // must not count), against the scan of that byte alone (the table).
        foreach (var prefix in new[] { 0, 1, 5, 15, 16, 20 })
            foreach (var length in new[] { 0, 1, 5, 15, 16, 17, 31, 32, 33, 47 })
                for (var position = 0; position < length; position++)
                    for (var b = 0; b < 256; b++)
                    {
                        var input = Enumerable.Repeat((byte)0, prefix).Concat(Enumerable.Repeat(inSet, length)).ToArray();
                        input[prefix + position] = (byte)b;
                        var expected = LaneBytes.Span([(byte)b], 0, flag) == 1 ? length : position;
                        if (LaneBytes.Span(input, prefix, flag) is var actual && actual != expected)
                            Assert.Fail($"flag {flag}, byte 0x{b:x2} at {position} of {length} after {prefix}: {actual}, expected {expected}");
                    }
    }

    private static LaneResult Compare(ReadOnlySpan<byte> input, List<string> differences)
    {
        var expected = ReferenceLaneRequest.Parse(input, out var expectedLength, out var expectedTarget);
        var actual = LaneRequest.Parse(input, out var actualLength, out var actualTarget);
        // The target means something only in a request taken (the reference leaves a partial one on some hand-offs).
        var sameTarget = actual != LaneResult.Answered || expectedTarget.SequenceEqual(actualTarget);
        if (expected != actual || expectedLength != actualLength || !sameTarget)
        {
            var text = Encoding.Latin1.GetString(input).ReplaceLineEndings("\\n");
            differences.Add($"{text}: reference {expected} {expectedLength}, lane {actual} {actualLength}");
        }
        return actual;
    }

    /// <summary>Half shaped as the lane takes them (good target, one good Host, benign names), half anything.</summary>
    private static string Request(Random random)
    {
        var good = random.Next(2) == 0;
        var text = new StringBuilder(!good && random.Next(10) == 0 ? "GET  " : "GET ");
        text.Append(Targets[random.Next(good ? 4 : Targets.Length)]).Append(!good && random.Next(10) == 0 ? " HTTP/1.0" : " HTTP/1.1").Append("\r\n");
        var lines = random.Next(5);
        var host = random.Next(lines + 1);
        for (var i = 0; i <= lines; i++)
        {
            var fold = !good && random.Next(12) == 0 ? (random.Next(2) == 0 ? " " : "\t") : "";
            var name = i == host ? (random.Next(2) == 0 ? "Host" : "hOST") : good || random.Next(2) == 0 ? Pick(random, Benign) : Pick(random, Risky);
            var gap = random.Next(4) switch { 0 => "", 1 => " ", 2 => "\t", _ => ": " };
            text.Append(fold).Append(name).Append(!good && random.Next(8) == 0 ? " :" : ":").Append(gap);
            text.Append(Values[random.Next(good ? 4 : Values.Length)]).Append(!good && random.Next(15) == 0 ? "\n" : "\r\n");
        }
        return text.Append(!good && random.Next(15) == 0 ? "\n" : "\r\n").ToString();
    }

    private static string Pick(Random random, string[] options) => options[random.Next(options.Length)];

    /// <summary>Most requests as built; the rest with a byte replaced, a splice inserted, or a byte removed.</summary>
    private static byte[] Mutate(Random random, string request)
    {
        var text = request;
        for (var i = random.Next(3) == 0 ? random.Next(1, 4) : 0; i > 0 && text.Length > 0; i--)
        {
            var at = random.Next(text.Length);
            text = random.Next(3) switch
            {
                0 => text.Remove(at, 1).Insert(at, ((char)random.Next(256)).ToString()),
                1 => text.Insert(at, Splices[random.Next(Splices.Length)]),
                _ => text.Remove(at, 1),
            };
        }
        return Bytes(text);
    }

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);
}
