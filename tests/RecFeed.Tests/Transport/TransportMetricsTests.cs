using System.Net.Sockets;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Tests.Support;
using RecFeed.Transport.Epoll;

namespace RecFeed.Tests.Transport;

/// <summary>The epoll transport's counters, as connections end each way, and their exposition judged by promtool.</summary>
public sealed class TransportMetricsTests
{
    private static readonly byte[] Request = "GET / HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();

    [Fact]
    public async Task Connections_are_counted_by_how_they_ended_and_the_exposition_passes_promtool()
    {
        var promtool = SystemTool.Find("promtool", "prometheus");
        EpollTransportMetrics metrics;
        string text;
        await using (var host = await EpollHost.StartAsync(o => o.IoThreads = 2))
        {
            metrics = host.Metrics;
            // client: answered, then the client closes first.
            using (var socket = await RawHttp.ConnectAsync(host.Address))
            {
                await socket.SendAsync(Request);
                Assert.Equal(200, (await new ResponseReader(socket).ReadAsync())!.Status);
                socket.Shutdown(SocketShutdown.Both);
            }
            // reset: the client resets after its request.
            await RawHttp.SendAndDropAsync(host.Address, [], reset: true);
            // server: Connection: close, so Kestrel ends it after the answer.
            Assert.Equal(200, RawHttp.Status(await RawHttp.GetAsync(host.Address, "/")));
            await EpollLoopFailureTests.WaitForAsync(() => metrics.ConnectionsOpen == 0);

            Assert.Equal(3, metrics.ConnectionsAccepted);
            Assert.Equal(1, metrics.ConnectionsClosed(EpollCloseReason.Client));
            Assert.Equal(1, metrics.ConnectionsClosed(EpollCloseReason.Reset));
            Assert.Equal(1, metrics.ConnectionsClosed(EpollCloseReason.Server));
            Assert.Equal(0, metrics.InputBytesHeld);
            Assert.Equal(0, metrics.OutputBytesHeld);
            Assert.Equal(0, metrics.InputPausedConnections);
            Assert.Equal(0, metrics.OutputBlockedConnections);
            Assert.Equal(0, metrics.AcceptPauses);
            Assert.True(metrics.BusyTime(0) + metrics.BusyTime(1) > TimeSpan.Zero);

            var t = new PrometheusText(4096);
            TransportMetrics.Write(t, metrics);
            text = t.ToString();
        }
        Assert.Contains("recfeed_transport_connections_closed_total{reason=\"reset\"} 1\n", text);
        Assert.Contains("recfeed_transport_loop_busy_seconds_total{loop=\"1\"} ", text);
        Assert.Contains("recfeed_transport_input_paused_connections 0\n", text);
        Assert.Contains("recfeed_transport_output_blocked_connections 0\n", text);
        var (code, output) = await SystemTool.RunAsync(promtool, ["check", "metrics"], stdin: text);
        Assert.True(code == 0 && output.Length == 0, $"promtool check metrics: exit {code}\n{output}\nbody:\n{text}");
    }
}
