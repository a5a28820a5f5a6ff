using RecFeed.Http.Lifecycle;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Http;

/// <summary>
/// Clients pipelining without pause on the public listener (this run's transport) must not keep a new connection
/// from being answered, on the public listener or on the admin one. Judged by order of events: the hogs keep
/// pipelining until the probe is answered and are still being answered afterwards; a starved probe is the only way
/// to reach the generous timeout.
/// </summary>
public sealed class ListenerStarvationTests : IAsyncLifetime
{
    private static readonly TimeSpan Starved = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();
    private InProcessServer _server = null!;
    private Uri _publicAddress = null!;
    private Uri _adminAddress = null!;

    public async Task InitializeAsync()
    {
        var data = _dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, 100);
        _server = await InProcessServer.StartAsync(new ServeOptions { Data = data, AdminUrls = ["http://127.0.0.1:0"] });
        _publicAddress = _server.Address;
        _adminAddress = _server.AdminAddress;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public Task A_new_public_connection_is_answered_while_clients_pipeline_without_pause() =>
        ProbeWhileHoggedAsync(_publicAddress, "/healthz", 200);

    [Fact]
    public Task The_admin_listener_answers_while_clients_pipeline_without_pause_on_the_public_one() =>
        ProbeWhileHoggedAsync(_adminAddress, "/no-such-route", 404);

    private async Task ProbeWhileHoggedAsync(Uri probed, string target, int status)
    {
        // Two per core, so every I/O thread of either transport (one per core at most) most likely serves one.
        var hogs = new List<PipeliningHog>();
        try
        {
            for (var i = 0; i < 2 * Environment.ProcessorCount; i++)
                hogs.Add(await PipeliningHog.StartAsync(_publicAddress, "/healthz"));
            foreach (var hog in hogs)
                await hog.WaitForAnswersAsync(1_000);
            await ProbeAsync(probed, target, status, hogs);
        }
        finally
        {
            foreach (var hog in hogs)
                await hog.DisposeAsync();
        }
    }

    private static async Task ProbeAsync(Uri probed, string target, int status, List<PipeliningHog> hogs)
    {

        var request = System.Text.Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n");
        var answer = await RawHttp.ExchangeAsync(probed, request, idle: Starved);
        Assert.True(answer.Length > 0, $"{TestTransport.Name}: GET {target} on {probed} not answered in {Starved.TotalSeconds} s while " +
            $"clients pipelined on the public listener ({hogs.Sum(h => h.Answers)} answers to the hogs meanwhile)");
        Assert.Equal([status], RawHttp.Statuses(answer));

        // The hogs were not finished or cut off: each is still being answered after the probe was.
        foreach (var hog in hogs)
            await hog.WaitForAnswersAsync(hog.Answers + 1_000);
    }
}
