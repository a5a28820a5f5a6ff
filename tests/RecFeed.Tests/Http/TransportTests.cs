using System.Net.Sockets;
using System.Text;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Http;

/// <summary>
/// What a transport must get right under Kestrel, checked over real sockets on this run's transport
/// (<see cref="TestTransport"/>): backpressure, half-close, resets, many connections flushing at once, and stopping
/// with responses still being written.
/// </summary>
public sealed class TransportTests : IAsyncLifetime
{
    private const int ItemsPerUser = 20;
    private static readonly byte[] Healthz = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();
    private static readonly byte[] Metrics = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private string _data = null!;
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _data = _dir.File("feeds.bin");
        TestFeeds.WriteRandom(_data, 20_000, itemsPerUser: ItemsPerUser, fallback: 30);
        _server = await InProcessServer.StartAsync(_data);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private static byte[] Feed(int user, int size) => Encoding.ASCII.GetBytes($"GET /feed/{user}?size={size} HTTP/1.1\r\nHost: t\r\n\r\n");

    private static byte[] Repeat(byte[] request, int count) => [.. Enumerable.Repeat(request, count).SelectMany(r => r)];

    [Fact]
    public async Task A_client_that_stops_reading_gets_every_response_once_it_reads_and_others_are_served_meanwhile()
    {
        const int Requests = 4_000; // ~74 MB of /metrics answers, twice what both sockets' buffers can hold here
        using var stalled = await RawHttp.ConnectAsync(_server.Address);
        await stalled.SendAsync(Repeat(Metrics, Requests));
        await Task.Delay(500);

        using var timeout = new CancellationTokenSource(Patience);
        for (var i = 0; i < 20; i++)
            Assert.Equal("ok shard 0/1\n", await _server.Client.GetStringAsync("/healthz", timeout.Token));

        var reader = new ResponseReader(stalled);
        for (var i = 0; i < Requests; i++)
        {
            var response = await reader.ReadAsync(timeout.Token);
            Assert.NotNull(response);
            Assert.Equal(200, response.Status);
            Assert.StartsWith("# HELP", Encoding.UTF8.GetString(response.Body));
        }
    }

    /// <summary>
    /// Kestrel takes the client's FIN as the client going away, so a half-closed request may or may not be answered
    /// (on either transport); what must hold is that the server closes its side, and that what it sent is whole.
    /// </summary>
    [Fact]
    public async Task A_half_closed_client_is_closed_by_the_server_with_nothing_cut_short()
    {
        using var timeout = new CancellationTokenSource(Patience);
        for (var user = 0; user < 50; user++)
        {
            using var socket = await RawHttp.ConnectAsync(_server.Address);
            byte[] requests = [.. Healthz, .. Feed(user, 5)];
            await socket.SendAsync(requests);
            socket.Shutdown(SocketShutdown.Send);
            var reader = new ResponseReader(socket);
            while (await reader.ReadAsync(timeout.Token) is { } response)
                Assert.Equal(200, response.Status);
        }
        Assert.Equal("ok shard 0/1\n", await _server.Client.GetStringAsync("/healthz", timeout.Token));
    }

    [Fact]
    public async Task Resets_before_during_and_after_a_request_leave_the_server_serving()
    {
        using var timeout = new CancellationTokenSource(Patience);
        for (var i = 0; i < 100; i++)
        {
            await RawHttp.SendAndDropAsync(_server.Address, "GET /feed/1?si"u8.ToArray(), reset: true);
            await RawHttp.SendAndDropAsync(_server.Address, Repeat(Metrics, 20), reset: true);
            await RawHttp.SendAndDropAsync(_server.Address, [], reset: i % 2 == 0);
        }
        using var socket = await RawHttp.ConnectAsync(_server.Address);
        await socket.SendAsync(Repeat(Healthz, 100));
        var reader = new ResponseReader(socket);
        for (var i = 0; i < 100; i++)
            Assert.Equal(200, (await reader.ReadAsync(timeout.Token))!.Status);
    }

    [Fact]
    public async Task Many_connections_pipelining_in_ragged_chunks_each_get_their_own_responses_in_order()
    {
        const int Connections = 64;
        const int RequestsEach = 150;
        using var timeout = new CancellationTokenSource(Patience);
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(c => Task.Run(async () =>
        {
            var random = new Random(c);
            // Distinct users per connection, each asked once for at most its own list: the item count is exact.
            var expected = new List<(string Kind, int Size)>();
            var requests = new MemoryStream();
            for (var r = 0; r < RequestsEach; r++)
            {
                var pick = random.Next(10);
                var (request, kind, size) = pick switch
                {
                    0 => (Metrics, "metrics", 0),
                    < 4 => (Healthz, "healthz", 0),
                    _ => Sized(Feed(c * RequestsEach + r, random.Next(1, ItemsPerUser + 1))),
                };
                requests.Write(request);
                expected.Add((kind, size));
            }
            using var socket = await RawHttp.ConnectAsync(_server.Address);
            var reading = ReadAllAsync(socket, expected, timeout.Token);
            var bytes = requests.ToArray();
            for (var sent = 0; sent < bytes.Length;)
            {
                var chunk = Math.Min(bytes.Length - sent, random.Next(1, 400));
                sent += await socket.SendAsync(bytes.AsMemory(sent, chunk));
                if (random.Next(8) == 0)
                    await Task.Yield();
            }
            await reading;
        })));

        static (byte[], string, int) Sized(byte[] request)
        {
            var text = Encoding.ASCII.GetString(request);
            var at = text.IndexOf("size=", StringComparison.Ordinal);
            var size = int.Parse(text[(at + 5)..text.IndexOf(' ', at)]);
            return (request, "feed", size);
        }
    }

    private static async Task ReadAllAsync(Socket socket, List<(string Kind, int Size)> expected, CancellationToken cancellationToken)
    {
        var reader = new ResponseReader(socket);
        foreach (var (kind, size) in expected)
        {
            var response = await reader.ReadAsync(cancellationToken);
            Assert.NotNull(response);
            Assert.Equal(200, response.Status);
            var body = Encoding.UTF8.GetString(response.Body);
            switch (kind)
            {
                case "metrics": Assert.StartsWith("# HELP", body); break;
                case "healthz": Assert.Equal("ok shard 0/1\n", body); break;
                default: Assert.Equal(size, Items(response)); break;
            }
        }
    }

    [Fact]
    public async Task Stopping_finishes_the_response_being_written_and_closes_the_connection_after_it()
    {
        var server = await InProcessServer.StartAsync(_data);
        using var socket = await RawHttp.ConnectAsync(server.Address);
        const int Requests = 4_000; // ~74 MB of answers: more than the sockets' buffers take before the stop
        await socket.SendAsync(Repeat(Metrics, Requests));
        using var timeout = new CancellationTokenSource(Patience);
        var reader = new ResponseReader(socket);
        Assert.Equal(200, (await reader.ReadAsync(timeout.Token))!.Status);

        var stopping = server.DisposeAsync().AsTask();
        // Every response that arrives is whole (the reader checks each one's framing), then a clean close.
        var after = 0;
        while (await reader.ReadAsync(timeout.Token) is { } response)
        {
            Assert.Equal(200, response.Status);
            Assert.StartsWith("# HELP", Encoding.UTF8.GetString(response.Body));
            after++;
        }
        await stopping.WaitAsync(Patience);
        Assert.True(after < Requests - 1, $"the server went on answering all {after} pipelined requests after the stop");
    }

    private static int Items(ResponseReader.Response response)
    {
        var body = Encoding.UTF8.GetString(response.Body);
        return body == "[]" ? 0 : body.Count(ch => ch == ',') + 1;
    }
}
