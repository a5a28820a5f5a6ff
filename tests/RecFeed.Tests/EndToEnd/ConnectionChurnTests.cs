using System.Net.Sockets;
using System.Text;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// The published binary on this run's transport (<see cref="TestTransport"/>), watched from outside through /proc:
/// connections dropped every way a client drops one leave no descriptor and no memory behind, and a client that
/// stops reading does not make the server buffer what it has not sent.
/// </summary>
public sealed class ConnectionChurnTests : TempDirectoryTest
{
    private const long MiB = 1024 * 1024;
    private static readonly byte[] Metrics = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task<ServeProcess> StartAsync()
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, 10_000, itemsPerUser: 20, fallback: 30);
        return await ServeProcess.StartAsync(data, "--snapshot-interval", "3600", "--drain-seconds", "0");
    }

    [Fact]
    public async Task Thousands_of_connections_dropped_every_way_leave_no_descriptor_or_memory_behind()
    {
        const int Rounds = 10;
        await using var server = await StartAsync();
        // Two rounds first, for pools, threads, the GC's heap and the connection tables to reach their size.
        await ChurnAsync(server.Address, seed: 100);
        await ChurnAsync(server.Address, seed: 101);
        var baseline = server.OpenDescriptors();
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
            Assert.True(open <= baseline, $"round {round}: {open} descriptors open, {baseline} before ({TestTransport.Name})");
            resident.Add(server.ResidentBytes());
        }
        // The GC's heap moved resident memory by 4 MiB in a run of an earlier version of this test, whose 3 MiB bound
        // it failed; retaining 4 KiB per connection on purpose showed as 30 MiB here.
        var growth = MemoryTrajectory.Growth(resident);
        Assert.True(growth <= 8 * MiB, $"resident memory kept growing by {growth / 1024} KiB over {Rounds} rounds: " +
            string.Join(", ", resident.Select(r => r / 1024)) + $" KiB ({TestTransport.Name})");
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
    public async Task A_client_that_stops_reading_does_not_make_the_server_buffer_what_it_cannot_send()
    {
        const int Requests = 8_000; // ~150 MB of answers; the sockets' buffers hold at most ~36 MB of it here
        await using var server = await StartAsync();
        using var socket = await RawHttp.ConnectAsync(server.Address);
        await socket.SendAsync(Metrics);
        var reader = new ResponseReader(socket);
        using var timeout = new CancellationTokenSource(Patience);
        Assert.Equal(200, (await reader.ReadAsync(timeout.Token))!.Status);
        var before = server.ResidentBytes();

        await socket.SendAsync(Repeat(Metrics, Requests));
        await Task.Delay(2_000); // the server fills what the sockets hold, then must wait
        var stalled = server.ResidentBytes();
        Assert.True(stalled - before < 16 * MiB,
            $"resident memory grew by {(stalled - before) / MiB} MiB while the client did not read ({TestTransport.Name})");

        for (var i = 0; i < Requests; i++)
            Assert.Equal(200, (await reader.ReadAsync(timeout.Token))!.Status);
    }
}
