using System.Net;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Http;

/// <summary>
/// GET /feed/{userId} is answered ahead of routing (FeedFastPath). These requests pin the routed contract: the same
/// statuses and bodies as the endpoint-routed handler, for what the fast path takes and for what it passes on.
/// </summary>
public abstract class FeedFastPathContractTests(uint version) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        var path = _dir.File("feeds.bin");
        // User u has personal items 100u+1 .. 100u+5; fallback 900..903.
        var rows = Enumerable.Range(0, 4).Select(u => Enumerable.Range(1, 5).Select(i => (uint)(100 * u + i)).ToArray()).ToList();
        TestFeeds.WriteLists(path, rows, [900, 901, 902, 903], itemsPerUser: 5, version: version);
        _server = await InProcessServer.StartAsync(path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<(HttpStatusCode Status, string Body)> Send(HttpMethod method, string target)
    {
        using var response = await _server.Client.SendAsync(new HttpRequestMessage(method, target));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/feed/1", "[101,102,103,104,105]")]
    [InlineData("/feed/1?size=2", "[101,102]")]
    [InlineData("/FEED/2?size=1", "[201]")]
    [InlineData("/Feed/3/?size=1", "[301]")]
    [InlineData("/feed/0?x=1&size=1", "[1]")]
    public async Task FeedRequestsAreServed(string target, string body)
    {
        var (status, text) = await Send(HttpMethod.Get, target);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(body, text);
    }

    [Theory]
    [InlineData("/feed/abc", "invalid user id")]
    [InlineData("/feed/-1", "invalid user id")]
    [InlineData("/feed/99999999999", "invalid user id")]
    [InlineData("/feed", "invalid user id")]
    [InlineData("/feed/", "invalid user id")]
    [InlineData("/feed/1?size=0", "invalid size")]
    [InlineData("/feed/1?size=6", "invalid size")]
    [InlineData("/feed/1?size=1&size=1", "invalid size")]
    public async Task BadRequestsGet400WithAReason(string target, string reason)
    {
        var (status, text) = await Send(HttpMethod.Get, target);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(reason, text);
    }

    [Theory]
    [InlineData("/feed/1/2")]
    [InlineData("/feeds/1")]
    [InlineData("/feed//1")]
    public async Task OtherPathsAreNotFound(string target) =>
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, target)).Status);

    [Fact]
    public async Task OtherMethodsAreNotAllowed()
    {
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Send(HttpMethod.Post, "/feed/1")).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Send(HttpMethod.Head, "/feed/1")).Status);
        // Neither request took items: the next GET still starts at the first one.
        Assert.Equal("[101]", (await Send(HttpMethod.Get, "/feed/1?size=1")).Body);
    }
}

public sealed class FeedFastPathContractV1Tests() : FeedFastPathContractTests(RecFeed.Format.FeedFileHeader.Version1);

public sealed class FeedFastPathContractV2Tests() : FeedFastPathContractTests(RecFeed.Format.FeedFileHeader.Version2);
