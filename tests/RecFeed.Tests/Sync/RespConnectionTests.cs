using System.Net;
using System.Net.Sockets;
using RecFeed.Sync;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sync;

/// <summary>recfeed's RESP2 client against a real redis-server on loopback: every reply type, binary values, pipelining, errors.</summary>
public sealed class RespConnectionTests : IDisposable
{
    private readonly RedisServer _redis = new();

    public void Dispose() => _redis.Dispose();

    [Fact]
    public async Task Pipelined_commands_get_their_replies_in_order_with_every_reply_type()
    {
        using var c = await _redis.ConnectAsync();
        byte[] binary = [0, 13, 10, 255, (byte)'$', (byte)'*', 0];
        c.Command(3);
        c.Arg("SET");
        c.Arg("k");
        c.Arg(binary);
        c.Command("GET", "k");
        c.Command("GET", "missing");
        c.Command("INCR", "n");
        c.Command("RPUSH", "l", "a", "b");
        c.Command("LRANGE", "l", "0", "-1");
        c.Command("NOSUCHCOMMAND");
        c.Command("PING");
        await c.FlushAsync(CancellationToken.None);

        Assert.Equal("OK", (await c.ReadAsync(CancellationToken.None)).Text);
        Assert.Equal(binary, (await c.ReadAsync(CancellationToken.None)).Bulk);
        Assert.True((await c.ReadAsync(CancellationToken.None)).IsNull);
        Assert.Equal(1, (await c.ReadAsync(CancellationToken.None)).Integer);
        Assert.Equal(2, (await c.ReadAsync(CancellationToken.None)).Integer);
        Assert.Equal(["a", "b"], (await c.ReadAsync(CancellationToken.None)).List().Select(r => r.AsText()));
        var error = await c.ReadAsync(CancellationToken.None);
        Assert.True(error.IsError);
        var thrown = Assert.Throws<RespException>(() => error.ThrowIfError());
        Assert.StartsWith("redis answered: ERR unknown command", thrown.Message);
        Assert.Equal("PONG", (await c.ReadAsync(CancellationToken.None)).Text);
        Assert.True(c.BytesSent > 0 && c.BytesReceived > 0);
    }

    [Fact]
    public async Task A_bulk_string_larger_than_the_read_buffer_arrives_whole()
    {
        var big = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        using var c = await _redis.ConnectAsync();
        c.Command(3);
        c.Arg("SET");
        c.Arg("big");
        c.Arg(big);
        c.Command("GET", "big");
        await c.FlushAsync(CancellationToken.None);

        Assert.Equal("OK", (await c.ReadAsync(CancellationToken.None)).Text);
        Assert.Equal(big, (await c.ReadAsync(CancellationToken.None)).Bulk);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_a_one_line_error()
    {
        int port;
        using (var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        }
        var e = await Assert.ThrowsAsync<RespException>(() => RespConnection.ConnectAsync(new RedisAddress("127.0.0.1", port, "x"), CancellationToken.None));
        Assert.StartsWith($"cannot connect to redis://127.0.0.1:{port}/x: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Redis_going_away_mid_reply_is_an_error_not_a_hang()
    {
        using var c = await _redis.ConnectAsync();
        _redis.Stop();
        c.Command("PING");
        var e = await Record.ExceptionAsync(async () =>
        {
            await c.FlushAsync(CancellationToken.None);
            await c.ReadAsync(CancellationToken.None);
        });
        Assert.True(e is RespException or SocketException, $"got {e?.GetType().Name}: {e?.Message}");
    }

    [Theory]
    [InlineData("redis://10.1.2.3:6380/feeds", "10.1.2.3", 6380, "feeds")]
    [InlineData("redis://cache", "cache", RedisAddress.DefaultPort, RedisAddress.DefaultKeyPrefix)]
    [InlineData("redis://cache/", "cache", RedisAddress.DefaultPort, RedisAddress.DefaultKeyPrefix)]
    public void Addresses_parse_with_defaults(string text, string host, int port, string prefix) =>
        Assert.Equal(new RedisAddress(host, port, prefix), RedisAddress.Parse(text).Value);

    [Theory]
    [InlineData("http://cache:6379/x")]
    [InlineData("redis://user:secret@cache:6379/x")]
    [InlineData("redis://cache:6379/a b")]
    [InlineData("cache:6379")]
    public void Other_addresses_are_refused_in_one_line(string text)
    {
        var (value, error) = RedisAddress.Parse(text);
        Assert.Null(value);
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
    }
}
