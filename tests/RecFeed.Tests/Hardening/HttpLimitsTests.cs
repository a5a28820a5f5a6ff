using System.Text;
using RecFeed.Http.Hosting;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Hardening;

/// <summary>Requests beyond the Kestrel limits get the right 4xx, byte for byte on the status line, over a raw socket.</summary>
public sealed class HttpLimitsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private InProcessServer _server = null!;

    /// <summary>
    /// How long a read may sit idle before the test stops waiting: only a hang guard, never the property judged. Every
    /// exchange here ends with the server closing (the closer, a rejection, the header timeout), so it is never waited out.
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public async Task InitializeAsync()
    {
        TwoDatasets.Write(_dir.File("feeds.bin"), dataset: 1, users: 10, itemsPerUser: 5);
        _server = await InProcessServer.StartAsync(_dir.File("feeds.bin"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Sends the request and the closer, so a kept-alive connection ends without waiting out a timeout.</summary>
    private async Task<string> SendAsync(string request) =>
        Encoding.Latin1.GetString(
            await RawHttp.ExchangeAsync(_server.Address, [.. Encoding.Latin1.GetBytes(request), .. RawHttp.Closer], Patience));

    public static TheoryData<string, string> Rejections => new()
    {
        { "GET /feed/1?pad=" + new string('a', HttpLimits.MaxRequestLine) + " HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 414 URI Too Long\r\n" },
        {
            "GET /feed/1 HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, HttpLimits.MaxHeaderCount).Select(i => $"X-{i}: y\r\n")) + "\r\n",
            "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        },
        {
            "GET /feed/1 HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('b', HttpLimits.MaxHeadersTotal) + "\r\n\r\n",
            "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        },
        { "POST /feed/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "HTTP/1.1 405 Method Not Allowed\r\n" },
        { "GET /feed/1 HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n" },
        { "GET /feed/\0 HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n" },
        { "GET /feed/%00 HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n" },
        { "GET /feed/\u00fc HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n" },
        { "GET /feed/1 HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n" },
        { "GET /feed/-1 HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n" },
        { "GET /feed/1?size=99999999999999999999 HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n" },
        { "POST /admin/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 404 Not Found\r\n" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task A_request_beyond_the_limits_gets_a_4xx(string request, string statusLine)
    {
        var response = await SendAsync(request);
        Assert.StartsWith(statusLine, response);
    }

    [Fact]
    public async Task A_request_body_on_the_public_listener_is_never_read_and_ends_the_connection()
    {
        // MaxRequestBodySize is 0: the feed is answered, the body is not read, and the connection closes after it.
        var response = await SendAsync("GET /feed/1?size=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        Assert.Equal([200], RawHttp.Statuses(Encoding.Latin1.GetBytes(response)));
    }

    [Fact]
    public async Task Headers_that_never_finish_time_out_with_408()
    {
        using var socket = await RawHttp.ConnectAsync(_server.Address);
        await socket.SendAsync("GET /feed/1 HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        var response = Encoding.Latin1.GetString(await RawHttp.ReadAsync(socket, Patience));
        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", response);
    }
}
