using System.Net.Sockets;
using RecFeed.Tests.Support;
using RecFeed.Transport.Epoll;

namespace RecFeed.Tests.Transport;

/// <summary>
/// What the transport owes a connection its lane holds: Kestrel's keep-alive timeout, a FIN at a stop, and answers in
/// order across a hand-off, when the client reads too slowly for the lane's answers to go out whole.
/// </summary>
public sealed class FastLaneTransportTests
{
    [Fact]
    public async Task A_lane_connection_idle_past_Kestrels_keep_alive_timeout_is_closed_with_a_FIN()
    {
        await using var host = await EpollHost.StartAsync(o => (o.IoThreads, o.Lane) = (1, new FixedLane()),
            limits: k => k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(2));
        using var socket = await RawHttp.ConnectAsync(host.Address);
        await socket.SendAsync(FixedLane.Request);
        var answer = await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(30)); // until the server closes

        Assert.Equal(FixedLane.ResponseLength, answer.Length);
        await EpollLoopFailureTests.WaitForAsync(() => host.Metrics.ConnectionsOpen == 0);
        Assert.Equal(1, host.Metrics.ConnectionsClosed(EpollCloseReason.Server));
        Assert.Equal(0, host.Metrics.ConnectionsHandedOff);
    }

    [Fact]
    public async Task A_stop_closes_the_lanes_connections_with_a_FIN()
    {
        var host = await EpollHost.StartAsync(o => (o.IoThreads, o.Lane) = (1, new FixedLane()));
        using var socket = await RawHttp.ConnectAsync(host.Address);
        await socket.SendAsync(FixedLane.Request);
        var buffer = new byte[FixedLane.ResponseLength];
        for (var received = 0; received < buffer.Length;)
            received += await socket.ReceiveAsync(buffer.AsMemory(received));

        var stopping = host.DisposeAsync().AsTask();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token); // a reset would throw
        await stopping;
        Assert.Equal(0, read);
        Assert.Equal(1, host.Metrics.ConnectionsClosed(EpollCloseReason.Server));
    }

    [Fact]
    public async Task Answers_stay_in_order_when_a_full_socket_hands_the_connection_to_Kestrel()
    {
        const int Requests = 1_000; // 8 MB of answers: twice what the server's socket can hold (tcp_wmem's 4 MiB)
        await using var host = await EpollHost.StartAsync(o => (o.IoThreads, o.Lane) = (1, new FixedLane()));
        // A small receive buffer set before connecting: a fixed window, so the answers back up into the server's socket.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 16 * 1024 };
        await socket.ConnectAsync(host.Address.Host, host.Address.Port);
        var requests = Enumerable.Repeat(FixedLane.Request, Requests).SelectMany(r => r).Concat("GET / HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray()).ToArray();
        var sending = socket.SendAsync(requests);
        await Task.Delay(500); // not reading: the lane's answers fill the socket
        var reader = new ResponseReader(socket);
        var statuses = new List<int>();
        for (var i = 0; i <= Requests; i++)
            statuses.Add((await reader.ReadAsync())!.Status);
        await sending;

        // Some answered by the lane (200), the rest of the lane's requests by Kestrel (404: no such route), then "/".
        var lane = statuses.TakeWhile(s => s == 200).Count();
        Assert.True(lane > 0 && lane < Requests, $"{lane} of {Requests} answered before the hand-off");
        Assert.All(statuses.Skip(lane).SkipLast(1), s => Assert.Equal(404, s));
        Assert.Equal(200, statuses[^1]);
        Assert.Equal(1, host.Metrics.ConnectionsHandedOff);
    }
}
