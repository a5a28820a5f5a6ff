using System.Net.Sockets;
using System.Text;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Tests.Support;
using RecFeed.Transport.Epoll;
using Xunit.Abstractions;

namespace RecFeed.Tests.Transport;

/// <summary>
/// What the epoll transport holds for a connection: unparsed input up to its bound (32 KiB by default, where Kestrel
/// holds 1 MiB), and no less than the largest request recfeed's HTTP limits let through. Judged by the transport's
/// own counts of bytes held and of connections paused and blocked.
/// </summary>
public sealed class EpollInputBoundTests(ITestOutputHelper output)
{
    private const int Pinned = 128 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly byte[] Request = "GET / HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();

    [Fact]
    public async Task A_client_that_pipelines_and_never_reads_pins_at_most_128_KiB()
    {
        await using var host = await EpollHost.StartAsync(o => o.IoThreads = 1);
        var metrics = host.Metrics;
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await attacker.ConnectAsync(host.Address.Host, host.Address.Port);
        // 16 MiB of requests: their answers overflow what the kernel buffers on both sides, then the server's pipes.
        var flood = new byte[16 * 1024 * 1024 / Request.Length * Request.Length];
        for (var i = 0; i < flood.Length; i += Request.Length)
            Request.CopyTo(flood, i);
        using var stop = new CancellationTokenSource(Patience);
        _ = attacker.SendAsync(flood, SocketFlags.None, stop.Token).AsTask();

        // The stall the transport itself reports, whatever the kernel's socket buffers absorb on this machine: the
        // client's answers no longer go out (its receive buffer is full), so Kestrel stopped consuming and reading
        // paused at the bound. Nothing unsticks it while the client does not read.
        long most = 0;
        await EpollLoopFailureTests.WaitForAsync(() =>
        {
            most = Math.Max(most, metrics.InputBytesHeld + metrics.OutputBytesHeld);
            return metrics.InputPausedConnections == 1 && metrics.OutputBlockedConnections == 1;
        });
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(10, stop.Token);
            most = Math.Max(most, metrics.InputBytesHeld + metrics.OutputBytesHeld);
        }
        output.WriteLine($"held at most {most} bytes; stalled with input {metrics.InputBytesHeld}, output {metrics.OutputBytesHeld}");
        Assert.True(most <= Pinned, $"held {most} bytes (input {metrics.InputBytesHeld}, output {metrics.OutputBytesHeld}) for one connection");
        // Reading paused at the bound, and a paused pipe holds at least its resume threshold (half the bound).
        Assert.True(metrics.InputBytesHeld >= EpollTransportOptions.DefaultMaxInputBufferSize / 2,
            $"input held {metrics.InputBytesHeld}: the transport stopped reading before its bound");
        attacker.LingerState = new LingerOption(true, 0);
        attacker.Close();
        // A closed connection leaves nothing counted.
        await EpollLoopFailureTests.WaitForAsync(() => metrics.InputBytesHeld == 0 && metrics.OutputBytesHeld == 0
            && metrics.InputPausedConnections == 0 && metrics.OutputBlockedConnections == 0);
    }

    /// <summary>
    /// A request line of <see cref="HttpLimits.MaxRequestLine"/> bytes and headers of
    /// <see cref="HttpLimits.MaxHeadersTotal"/> bytes, pipelined, at the smallest buffer serve accepts: each is
    /// answered. A byte more of either is refused by Kestrel (414, 431), so these are the largest it takes.
    /// </summary>
    [Fact]
    public async Task The_largest_requests_the_limits_allow_are_served_at_the_smallest_buffer()
    {
        await using var host = await EpollHost.StartAsync(o =>
        {
            o.IoThreads = 1;
            o.MaxInputBufferSize = TransportSettings.MinRequestBufferSize;
        });
        var largest = Largest(0, 0);
        Assert.True(largest.Length > HttpLimits.MaxRequestLine + HttpLimits.MaxHeadersTotal - 64, $"{largest.Length} bytes");
        const int Pipelined = 20;
        using var socket = await RawHttp.ConnectAsync(host.Address);
        await socket.SendAsync(Enumerable.Repeat(largest, Pipelined).SelectMany(r => r).ToArray());
        var reader = new ResponseReader(socket);
        using var timeout = new CancellationTokenSource(Patience);
        for (var i = 0; i < Pipelined; i++)
            Assert.Equal(200, (await reader.ReadAsync(timeout.Token))!.Status);

        var longerLine = await RawHttp.ExchangeAsync(host.Address, Largest(1, 0), TimeSpan.FromSeconds(5));
        Assert.Equal(new[] { 414 }, RawHttp.Statuses(longerLine));
        var longerHeaders = await RawHttp.ExchangeAsync(host.Address, Largest(0, 1), TimeSpan.FromSeconds(5));
        Assert.Equal(new[] { 431 }, RawHttp.Statuses(longerHeaders));
    }

    /// <summary>The largest request, with <paramref name="lineOver"/> and <paramref name="headersOver"/> bytes more.</summary>
    private static byte[] Largest(int lineOver, int headersOver)
    {
        const string Start = "GET /?pad=", End = " HTTP/1.1\r\n";
        var line = Start + new string('a', HttpLimits.MaxRequestLine + lineOver - Start.Length - End.Length) + End;
        const string Host = "Host: t\r\n", Pad = "X-Pad: ";
        var headers = Host + Pad + new string('b', HttpLimits.MaxHeadersTotal + headersOver - Host.Length - Pad.Length - 2) + "\r\n";
        return Encoding.ASCII.GetBytes(line + headers + "\r\n");
    }
}
