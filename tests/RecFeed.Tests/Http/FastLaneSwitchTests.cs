using RecFeed.Http.Hosting;
using RecFeed.Http.Lifecycle;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Http;

/// <summary>
/// The switch itself, on this run's transport: the lane is on by default, and <c>--fast-lane off</c> leaves every
/// connection to Kestrel. A request the lane hands off (<c>Connection: close</c>) shows which one took the
/// connection: a hand-off is counted only where there is a lane to hand off from. The answers are the same either way.
/// </summary>
public sealed class FastLaneSwitchTests : TempDirectoryTest
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_lane_takes_connections_only_when_switched_on_and_answers_as_Kestrel_does(bool fastLane)
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteLists(data, [[11, 12, 13], [21, 22, 23]], [9], itemsPerUser: 3);
        await using var server = await InProcessServer.StartAsync(new ServeOptions { Data = data }, fastLane);
        var before = await HandOffs(server); // the client's own connection, handed to Kestrel at its first /metrics

        var response = await RawHttp.SendAsync(server.Address, "GET /feed/1?size=2 HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /feed/1?size=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.Equal(2, response.Split("HTTP/1.1 200 OK\r\n").Length - 1);
        Assert.Contains("\r\n\r\n[21,22]HTTP/1.1 200 OK\r\n", response);
        Assert.EndsWith("\r\n\r\n[23]", response);
        var lane = fastLane && TestTransport.Current == ServerTransport.Epoll;
        Assert.Equal(before + (lane ? 1 : 0), await HandOffs(server));
    }

    /// <summary>recfeed_transport_lane_handoffs_total; 0 where the transport has none (sockets).</summary>
    private static async Task<long> HandOffs(InProcessServer server)
    {
        const string Name = "recfeed_transport_lane_handoffs_total ";
        var line = (await server.Client.GetStringAsync("/metrics")).Split('\n').SingleOrDefault(l => l.StartsWith(Name, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[Name.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void The_lane_is_on_by_default()
    {
        Assert.True(TransportSettings.DefaultFastLane);
        Assert.True(new TransportSettings().FastLane);
    }
}
