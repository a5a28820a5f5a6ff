using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using RecFeed.Http.Hosting;
using RecFeed.Http.Lifecycle;
using RecFeed.Tests.Hardening;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Http;

/// <summary>
/// The fast lane against Kestrel: the same seeded streams (<see cref="LaneStreams"/>: pipelined, cut at random
/// bytes, lane-shaped and malformed requests mixed) sent to a server with the lane and one without must get the same
/// bytes back (the <c>Date</c> value masked) and end the same way (closed, reset, or left open). A seed that once
/// found a difference stays in the list. On the sockets transport there is no lane, and both servers are the same.
/// </summary>
public sealed partial class FastLaneDifferentialTests : TempDirectoryTest
{
    private const int Streams = 200;
    /// <summary>Silence that means the server waits for more: long, since a loaded machine can take a while to answer.</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Lane-shaped targets for a server with a named feed "video": mostly its paths (a stream stays in the lane only
    /// if every request does), then names not served, near misses and ids where a name goes.
    /// </summary>
    private static readonly string[] NamedPrefixes =
    [
        "/feed/", "/feed/", .. Enumerable.Repeat("/feed/video/", 14), "/feed/audio/", "/feed/Video/", "/FEED/video/", "/feed/video//", "/feed//", "/feed/7/",
    ];

    [Theory]
    [InlineData(20261207)]
    [InlineData(1)]
    public Task A_server_with_the_lane_answers_every_stream_as_one_without_it(int seed) => CompareAsync(new LaneStreams(seed), named: false);

    [Theory]
    [InlineData(20261208)]
    public Task With_a_named_feed_the_lane_answers_every_stream_as_one_without_it(int seed) =>
        CompareAsync(new LaneStreams(seed, NamedPrefixes), named: true);

    private async Task CompareAsync(LaneStreams streams, bool named)
    {
        var data = Dir.File("feeds.bin");
        // Users 0..39 with 2,000 items each (no stream runs through one), and one fallback item, for the other users: the
        // fallback's order is random by design, so one item is what makes two servers' answers comparable.
        var rows = Enumerable.Range(0, 40).Select(u => Enumerable.Range(1, 2_000).Select(i => (uint)(10_000 * u + i)).ToArray()).ToList();
        TestFeeds.WriteLists(data, rows, [9], itemsPerUser: 2_000);
        var video = Dir.File("video.bin");
        TestFeeds.WriteLists(video, [.. rows.Select(r => r.Select(i => i + 500_000).ToArray())], [8], itemsPerUser: 2_000);
        // Each server its own state file for the named feed: two processes never share one.
        ServeOptions Options(string state) => new() { Data = data, Feeds = named ? [new NamedFeed("video", video, Dir.File(state))] : [] };
        await using var lane = await InProcessServer.StartAsync(Options("lane-video.state"), fastLane: true);
        await using var kestrel = await InProcessServer.StartAsync(Options("kestrel-video.state"), fastLane: false);

        foreach (var server in new[] { lane, kestrel })
            await server.Client.GetStringAsync("/feed/39?size=1"); // first requests, so the first stream's answers come as fast as the rest
        var differences = new List<string>();
        var index = 0;
        foreach (var stream in streams.Take(Streams))
        {
            var answers = await Task.WhenAll(ExchangeAsync(lane.Address, stream), ExchangeAsync(kestrel.Address, stream));
            if (answers[0] != answers[1])
                differences.Add($"stream {index}: {stream}\n  lane:    {answers[0]}\n  kestrel: {answers[1]}");
            index++;
        }

        Assert.True(differences.Count == 0, $"{differences.Count} of {Streams} streams differ:\n" + string.Join('\n', differences.Take(5)));
        // Counted alike: the requests by outcome, and the duration histogram's count of them.
        var counts = await Task.WhenAll(RequestCounts(lane), RequestCounts(kestrel));
        Assert.Equal(counts[1], counts[0]);
        if (TestTransport.Current == ServerTransport.Epoll)
        {
            // Not vacuous: the lane kept some connections to the end, and handed others to Kestrel.
            var (accepted, handedOff) = await Connections(lane);
            Assert.True(handedOff > 0 && handedOff < accepted, $"{handedOff} of {accepted} connections handed to Kestrel");
            Assert.Equal(0, (await Connections(kestrel)).HandedOff);
        }
    }

    /// <summary>What came back, Date masked, and how the connection ended.</summary>
    private static async Task<string> ExchangeAsync(Uri server, LaneStreams.Stream stream)
    {
        using var socket = await RawHttp.ConnectAsync(server);
        var reading = ReadAsync(socket);
        var from = 0;
        try
        {
            foreach (var cut in stream.Cuts.Append(stream.Bytes.Length))
            {
                await socket.SendAsync(stream.Bytes.AsMemory(from, cut - from));
                from = cut;
                if (from < stream.Bytes.Length)
                    await Task.Delay(3); // a cut the server sees: the next part arrives after it has read this one
            }
            if (stream.End == LaneStreams.Ending.Fin)
            {
                // After the answers: Kestrel drops what it has not answered when the FIN comes in the same read.
                await Task.Delay(Idle / 4);
                socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (SocketException)
        {
            // The server may close mid-stream after refusing a request; what it answered still counts.
        }
        var (bytes, end) = await reading;
        var text = Encoding.Latin1.GetString(bytes);
        // After an answer that closes, bytes of the stream still on their way make the kernel reset instead of
        // closing, or not, as they arrive before the close or after: the server closed either way.
        if (end == "reset" && text.Contains("\r\nConnection: close\r\n", StringComparison.Ordinal))
            end = "closed";
        return $"{end}: {DateValue().Replace(text, "Date: *\r\n").ReplaceLineEndings("\\n")}";
    }

    private static async Task<(byte[] Bytes, string End)> ReadAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            using var timeout = new CancellationTokenSource(Idle);
            try
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                    return (received.ToArray(), "closed");
                received.Write(buffer, 0, read);
            }
            catch (OperationCanceledException)
            {
                return (received.ToArray(), "open");
            }
            catch (SocketException)
            {
                return (received.ToArray(), "reset");
            }
        }
    }

    private static async Task<string[]> RequestCounts(InProcessServer server) =>
        [.. (await server.Client.GetStringAsync("/metrics")).Split('\n')
            .Where(l => l.StartsWith("recfeed_requests_total{", StringComparison.Ordinal)
                || l.StartsWith("recfeed_request_duration_seconds_count", StringComparison.Ordinal))];

    private static async Task<(long Accepted, long HandedOff)> Connections(InProcessServer server)
    {
        var text = await server.Client.GetStringAsync("/metrics");
        return (Sample(text, "recfeed_transport_connections_accepted_total"), Sample(text, "recfeed_transport_lane_handoffs_total"));
    }

    private static long Sample(string metrics, string name) =>
        long.Parse(metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..],
            System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("Date: [^\r]*\r\n")]
    private static partial Regex DateValue();
}
