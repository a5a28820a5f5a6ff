using System.Globalization;
using System.Net.Sockets;
using System.Text;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// The published binary on this run's transport (<see cref="TestTransport"/>), judged by counts it keeps: connections
/// dropped every way a client drops one leave no descriptor behind (/proc), and a client that stops reading does not
/// make the server produce more answers than the buffers between them hold (/metrics). Resident memory is printed,
/// never asserted: over a window it measures the garbage collector, not what the server holds.
/// </summary>
public sealed class ConnectionChurnTests : TempDirectoryTest
{
    private static readonly byte[] Metrics = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task<ServeProcess> StartAsync()
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, 10_000, itemsPerUser: 20, fallback: 30);
        return await ServeProcess.StartAsync(data, "--snapshot-interval", "3600", "--drain-seconds", "0");
    }

    [Fact]
    public async Task Thousands_of_connections_dropped_every_way_leave_no_descriptor_behind()
    {
        const int Rounds = 10;
        await using var server = await StartAsync();
        // Two rounds first, for pools, threads, the GC's heap and the connection tables to reach their size.
        await ChurnAsync(server.Address, seed: 100);
        await ChurnAsync(server.Address, seed: 101);
        // The first scrape opens /proc/self/statm and keeps it, so that a scrape needs no descriptor when the table is
        // full; the churn's own /metrics requests are reset before they may run, so scrape once before the baseline.
        await server.Client.GetStringAsync("/metrics");
        var baseline = server.OpenDescriptors();
        var before = server.DescribeDescriptors();
        var resident = new List<long>();
        for (var round = 0; round < Rounds; round++)
        {
            await ChurnAsync(server.Address, round);
            // Closes finish on the server's loops after the client side has gone: wait for them, never for long.
            var open = server.OpenDescriptors();
            for (var wait = 0; open > baseline && wait < 300; wait++)
            {
                await Task.Delay(100);
                open = server.OpenDescriptors();
            }
            if (open > baseline)
                Assert.Fail($"round {round}: {open} descriptors open, {baseline} before ({TestTransport.Name}); open now: {server.DescribeDescriptors()}, " +
                    $"before: {before}; server's count: {await ConnectionsOpenAsync(server)}");
            resident.Add(server.ResidentBytes());
        }
        Console.WriteLine($"churn ({TestTransport.Name}): {Rounds} rounds of 800 dropped connections, descriptors back to {baseline} after each; " +
            "resident memory after each round (printed, not judged): " + string.Join(" ", resident.Select(r => r >> 20)) + " MiB");
    }

    /// <summary>The epoll transport's gauge of connections accepted and not closed, with the one asking for it.</summary>
    private static async Task<string> ConnectionsOpenAsync(ServeProcess server)
    {
        var metrics = await server.Client.GetStringAsync("/metrics");
        return metrics.Split('\n').FirstOrDefault(line => line.StartsWith("recfeed_transport_connections_open ", StringComparison.Ordinal))
            ?? "not kept on this transport";
    }

    /// <summary>800 connections, 50 at a time, in six ways of ending, while a keep-alive client checks every answer.</summary>
    private static async Task ChurnAsync(Uri server, int seed)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var steady = Task.Run(async () =>
        {
            using var socket = await RawHttp.ConnectAsync(server);
            var reader = new ResponseReader(socket);
            for (var i = 0; i < 200; i++)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /feed/{(seed * 200 + i) & 8191}?size=3 HTTP/1.1\r\nHost: t\r\n\r\n"));
                Assert.Equal(200, (await reader.ReadAsync(timeout.Token))!.Status);
            }
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, 800), new ParallelOptions { MaxDegreeOfParallelism = 50, CancellationToken = timeout.Token },
            async (i, ct) => await DropAsync(server, i % 6, ct));
        await steady;
    }

    private static async Task DropAsync(Uri server, int way, CancellationToken cancellationToken)
    {
        var socket = await RawHttp.ConnectAsync(server);
        try
        {
            switch (way)
            {
                case 0: // an ordinary request that asks for the close
                    await socket.SendAsync("GET /feed/1?size=2 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"u8.ToArray());
                    await ReadToEndAsync(socket, cancellationToken);
                    break;
                case 1: // reset while the answers are on their way
                    await socket.SendAsync(Repeat(Metrics, 8));
                    Reset(socket);
                    break;
                case 2: // half-close after the request
                    await socket.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray());
                    socket.Shutdown(SocketShutdown.Send);
                    await ReadToEndAsync(socket, cancellationToken);
                    break;
                case 3: // reset in the middle of a request line
                    await socket.SendAsync("GET /feed/12?si"u8.ToArray());
                    Reset(socket);
                    break;
                case 4: // connect and leave without a word
                    break;
                default: // keep-alive: answers read, then the client closes first
                    await socket.SendAsync(Repeat("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray(), 3));
                    var reader = new ResponseReader(socket);
                    for (var i = 0; i < 3; i++)
                        Assert.Equal(200, (await reader.ReadAsync(cancellationToken))!.Status);
                    break;
            }
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static void Reset(Socket socket) => socket.LingerState = new LingerOption(true, 0);

    /// <summary>Reads until the server closes; a server that never closes fails the test by the token.</summary>
    private static async Task ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) > 0)
        {
        }
    }

    private static byte[] Repeat(byte[] request, int count) => [.. Enumerable.Repeat(request, count).SelectMany(r => r)];

    [Fact]
    public async Task A_client_that_stops_reading_does_not_make_the_server_produce_what_it_cannot_send()
    {
        // One user per request, each answered with 1,000 items (about 7 KB): 28 MB of answers, far more than what
        // the buffers between the server and this client hold, so the server must stop producing long before the end.
        const int Requests = 4_000, Items = 1_000;
        var data = Dir.File("wide.bin");
        TestFeeds.WriteRandom(data, Requests, itemsPerUser: Items, fallback: 30);
        await using var server = await ServeProcess.StartAsync(data, "--snapshot-interval", "3600", "--drain-seconds", "0");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        await socket.ConnectAsync(server.Address.Host, server.Address.Port);
        var pipelined = Enumerable.Range(0, Requests).SelectMany(u => Encoding.ASCII.GetBytes($"GET /feed/{u}?size={Items} HTTP/1.1\r\nHost: t\r\n\r\n"));
        await socket.SendAsync(pipelined.ToArray());

        // Unread answers can sit in this socket's receive buffer, the server socket's send buffer (autotuned up to
        // tcp_wmem's maximum, which the kernel overshoots by at most one 64 KiB segment) and the transport's output
        // pipe (64 KiB before Kestrel's flush waits, plus the answer being written); the counter also moves for the
        // one answer waiting on that flush. Nothing else may hold them: a server that buffers would produce all 4,000.
        const int Segment = 64 * 1024, Pipe = 64 * 1024;
        var unread = socket.ReceiveBufferSize + MaxSendBuffer() + Segment + Pipe;
        var produced = await ServedWhileStalledAsync(server, Requests);

        var reader = new ResponseReader(socket);
        using var timeout = new CancellationTokenSource(Patience);
        var smallest = int.MaxValue;
        for (var i = 0; i < Requests; i++)
        {
            var response = (await reader.ReadAsync(timeout.Token))!;
            Assert.Equal(200, response.Status);
            smallest = Math.Min(smallest, response.Head.Length + 4 + response.Body.Length);
        }
        var bound = unread / smallest + 2;
        Console.WriteLine($"stalled client ({TestTransport.Name}): {produced} of {Requests} answers produced while it did not read; " +
            $"bound {bound} = ({socket.ReceiveBufferSize} + {MaxSendBuffer()} + {Segment} + {Pipe} bytes) / {smallest} + 2");
        Assert.InRange(produced, 1, bound);
    }

    /// <summary>
    /// Feed answers the server has produced, read from its /metrics over another connection, once the count has stopped
    /// moving (ten readings alike, 100 ms apart) or as soon as it reaches <paramref name="requests"/>, which only a
    /// server buffering without bound would.
    /// </summary>
    private static async Task<long> ServedWhileStalledAsync(ServeProcess server, int requests)
    {
        long last = -1;
        for (var alike = 0; alike < 10;)
        {
            await Task.Delay(100);
            var served = (long)MetricsText.Samples(await server.Client.GetStringAsync("/metrics"))["recfeed_requests_total{outcome=\"served\"}"];
            alike = served == last ? alike + 1 : 0;
            last = served;
            if (served >= requests)
                break;
        }
        return last;
    }

    /// <summary>The most a TCP socket's send buffer grows to by autotuning: the third field of net.ipv4.tcp_wmem.</summary>
    private static int MaxSendBuffer()
    {
        var fields = File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return int.Parse(fields[2], CultureInfo.InvariantCulture);
    }
}
