using System.Text;

namespace RecFeed.Tests.Hardening;

/// <summary>
/// Seeded generator of malformed HTTP/1.x requests: random bytes, byte-level mutations of valid requests, bad
/// methods and versions, hostile numbers, percent-encoded and non-ASCII paths, NUL bytes, overlong lines and headers,
/// odd bodies, half-sent requests and abrupt disconnects. The same seed gives the same cases.
/// </summary>
public sealed class FuzzCases(int seed)
{
    private static readonly string[] Methods =
    [
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT", "PRI", "get", "G ET", "GETT",
        "", "\u00c9GET", "GET\0", "BREW", new string('G', 300),
    ];
    private static readonly string[] Numbers =
    [
        "0", "1", "-1", "-0", "+1", "4294967295", "4294967296", "18446744073709551616", "99999999999999999999999999",
        "1e3", "0x10", "1.5", " 1", "1 ", "", "00000000000000000000001", "%31", "\u0661", "NaN", "-2147483648", "65535",
        "65536",
    ];
    private static readonly string[] Paths =
    [
        "/feed/%00", "/feed/%", "/feed/%zz", "/feed/%FF%FE", "/feed/%2e%2e/healthz", "/feed/%2F1", "/feed/\u00fc",
        "/feed/\u65e5\u672c", "/%66eed/1", "/feed//1", "/feed/1/", "/feed/1/2", "/feed/../metrics", "//feed/1",
        "/FEED/1", "*", "http://x/feed/1", "feed/1", "/feed/1#frag", "/feed/1?size=1&size=2", "/feed/1?size",
        "/feed/1?=&&=", "/feed/1?size=%31", "/feed/\t1", "/feed/1\\2", "/admin/reload",
    ];
    private static readonly string[] Versions =
    [
        "HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/9.9", "HTTP/1.1 ", "HTTP/1", "http/1.1",
        "HTTP/1.10", "HTTP/-1.1", "", "HTTP\0/1.1",
    ];

    private readonly Random _random = new(seed);

    public IEnumerable<FuzzCase> Take(int count)
    {
        for (var i = 0; i < count; i++)
            yield return Next();
    }

    public FuzzCase Next() => _random.Next(14) switch
    {
        0 => Read("random-bytes", [.. Bytes(_random.Next(1, 800)), .. "\r\n\r\n"u8]),
        1 or 2 => Read("mutated", Mutate(Valid())),
        3 => Read("bad-method", Request(Pick(Methods), $"/feed/{_random.Next(100)}", "HTTP/1.1")),
        4 => Read("numbers", Request("GET", $"/feed/{Pick(Numbers)}?size={Pick(Numbers)}", "HTTP/1.1")),
        5 => Read("encoded-path", Request("GET", Pick(Paths), "HTTP/1.1")),
        6 => Read("bad-version", Request("GET", "/feed/1", Pick(Versions))),
        7 => Read("nul", Insert(Valid(), 0)),
        8 => Read("overlong-line", Request("GET", "/feed/1?x=" + new string('a', _random.Next(900, 20_000)), "HTTP/1.1")),
        9 => Read("overlong-headers", OverlongHeaders()),
        10 => Read("body", Body()),
        11 => new FuzzCase("half-sent", Valid()[..^_random.Next(1, 20)], FuzzCase.Ending.HalfSent),
        12 => new FuzzCase("reset", Valid(), FuzzCase.Ending.Reset),
        _ => Read("pipelined", [.. Valid(), .. Mutate(Valid()), .. Valid()]),
    };

    private static FuzzCase Read(string kind, byte[] bytes) => new(kind, bytes, FuzzCase.Ending.Read);

    private string Pick(string[] options) => options[_random.Next(options.Length)];

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Valid() => Request("GET", $"/feed/{_random.Next(-5, 120)}?size={_random.Next(-2, 40)}", "HTTP/1.1");

    private static byte[] Request(string method, string target, string version, string headers = "Host: fuzz\r\n") =>
        Encoding.UTF8.GetBytes($"{method} {target} {version}\r\n{headers}\r\n");

    /// <summary>Flips, inserts or deletes a few bytes anywhere in the request.</summary>
    private byte[] Mutate(byte[] request)
    {
        var bytes = new List<byte>(request);
        for (var i = _random.Next(1, 6); i > 0 && bytes.Count > 0; i--)
        {
            var at = _random.Next(bytes.Count);
            switch (_random.Next(3))
            {
                case 0: bytes[at] ^= (byte)(1 << _random.Next(8)); break;
                case 1: bytes.Insert(at, (byte)_random.Next(256)); break;
                default: bytes.RemoveAt(at); break;
            }
        }
        return [.. bytes];
    }

    private byte[] Insert(byte[] request, byte value)
    {
        var at = _random.Next(request.Length);
        return [.. request[..at], value, .. request[at..]];
    }

    private byte[] OverlongHeaders()
    {
        var headers = new StringBuilder("Host: fuzz\r\n");
        if (_random.Next(2) == 0)
            headers.Append("X-Long: ").Append('v', _random.Next(4_000, 60_000)).Append("\r\n");
        else
            for (var i = _random.Next(20, 400); i > 0; i--)
                headers.Append("X-").Append(i).Append(": ").Append(i).Append("\r\n");
        return Request("GET", "/feed/1", "HTTP/1.1", headers.ToString());
    }

    private byte[] Body() => _random.Next(6) switch
    {
        0 => Request("GET", "/feed/1", "HTTP/1.1", "Host: fuzz\r\nContent-Length: 10\r\n") is var r ? [.. r, .. "0123456789"u8] : [],
        1 => Request("POST", "/feed/1", "HTTP/1.1", $"Host: fuzz\r\nContent-Length: {Pick(Numbers)}\r\n"),
        2 => Request("GET", "/feed/1", "HTTP/1.1", "Host: fuzz\r\nTransfer-Encoding: chunked\r\n") is var c ? [.. c, .. "zz\r\nhello\r\n0\r\n\r\n"u8] : [],
        3 => Request("GET", "/feed/1", "HTTP/1.1", "Host: fuzz\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        4 => Request("GET", "/feed/1", "HTTP/1.1", "Host: fuzz\r\nContent-Length: 1\r\nContent-Length: 2\r\n"),
        _ => Request("GET", "/feed/1", "HTTP/1.1", "Host: fuzz\r\nTransfer-Encoding: gzip, identity\r\n"),
    };
}
