using System.Net.Sockets;
using System.Text;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// The published binary on this run's transport with its descriptor table full: the limit is lowered from outside
/// (prlimit on the running process, soft and hard), connections are held until its table is full, and then what an
/// operator needs must still work.
/// </summary>
public sealed class DescriptorExhaustionTests : TempDirectoryTest
{
    private const int Limit = 64;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task<ServeProcess> StartAsync()
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, 1_000, itemsPerUser: 20, fallback: 30);
        var server = await ServeProcess.StartAsync(data, "--snapshot-interval", "3600", "--drain-seconds", "0");
        var prlimit = SystemTool.Find("prlimit", "util-linux");
        var pid = server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (code, output) = await SystemTool.RunAsync(prlimit, ["--pid", pid, $"--nofile={Limit}:{Limit}"]);
        Assert.True(code == 0, $"prlimit: exit {code}: {output}");
        return server;
    }

    /// <summary>Twice the limit in connections: the server accepts until its table is full (seen in /proc/PID/fd).</summary>
    private static async Task<List<Socket>> ExhaustAsync(ServeProcess server)
    {
        var held = new List<Socket>();
        for (var i = 0; i < 2 * Limit; i++)
            held.Add(await RawHttp.ConnectAsync(server.Address));
        for (var wait = 0; server.OpenDescriptors() < Limit && wait < 6_000; wait++)
            await Task.Delay(10);
        Assert.True(server.OpenDescriptors() >= Limit, $"the server holds {server.OpenDescriptors()} descriptors, never reached its limit of {Limit}");
        return held;
    }

    [Fact]
    public async Task Metrics_answers_200_with_valid_text_and_no_stack_trace_when_the_descriptor_table_is_full()
    {
        await using var server = await StartAsync();
        // Connected first, so accepted before the table fills; the scrape below is the process's first.
        using var probe = await RawHttp.ConnectAsync(server.Address);
        var held = await ExhaustAsync(server);
        try
        {
            // HTTP/1.0: the body comes unchunked and ends with the connection, as promtool wants it.
            await probe.SendAsync("GET /metrics HTTP/1.0\r\n\r\n"u8.ToArray());
            var response = Encoding.UTF8.GetString(await RawHttp.ReadAsync(probe, Patience));
            Assert.True(response.Length > 0 && RawHttp.Status(response) == 200, $"GET /metrics with the table full:\n{response}\n{server.Output}");
            var body = RawHttp.Body(response);
            Assert.Contains($"\nprocess_max_fds {Limit}\n", body);
            var (code, output) = await SystemTool.RunAsync(SystemTool.Find("promtool", "prometheus"), ["check", "metrics"], stdin: body);
            Assert.True(code == 0 && output.Length == 0, $"promtool check metrics: exit {code}\n{output}\nbody:\n{body}");
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
        Assert.DoesNotContain("Exception", server.Output);
        Assert.DoesNotContain("   at ", server.Output);
    }

    [Fact]
    public async Task While_the_table_is_full_each_failed_accept_is_followed_by_a_logged_pause_not_retried_at_once()
    {
        await using var server = await StartAsync();
        var held = await ExhaustAsync(server);
        try
        {
            var trace = Dir.File("accept.strace");
            using var strace = await Strace.AttachAsync(server.Id, "trace=accept,accept4", trace);
            // Three more pauses, or a hundred failed accepts seen first: a loop that retries at once logs no pause.
            var pauses = PausesLogged(server) + 3;
            for (var wait = 0; PausesLogged(server) < pauses && FailedAccepts(File.ReadLines(trace)) < 100 && wait < 6_000; wait++)
                await Task.Delay(10);
            var failed = FailedAccepts(await strace.StopAsync());
            // Every pause is logged before its wait: failures seen by strace cannot outnumber the lines logged so far.
            Assert.True(failed <= PausesLogged(server), $"{failed} accepts failed with EMFILE, {PausesLogged(server)} pauses logged:\n{server.Output}");
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    private static int PausesLogged(ServeProcess server) =>
        server.Output.Split('\n').Count(l => l.Contains("accept paused", StringComparison.Ordinal));

    private static int FailedAccepts(IEnumerable<string> trace) => trace.Count(l => l.Contains("EMFILE", StringComparison.Ordinal));

    [Fact]
    public async Task Once_most_clients_leave_a_server_that_ran_out_of_descriptors_closes_their_connections_and_answers_new_ones()
    {
        await using var server = await StartAsync();
        var held = await ExhaustAsync(server);
        const int Staying = 8;
        foreach (var socket in held.Take(held.Count - Staying))
            socket.Dispose();
        try
        {
            var answer = await RawHttp.ExchangeAsync(server.Address, "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"u8.ToArray(), Patience);
            Assert.True(answer.Length > 0,
                $"no answer in {Patience.TotalSeconds} s after {held.Count - Staying} of {held.Count} clients left:\n{server.Output}");
            Assert.Equal([200], RawHttp.Statuses(answer));
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
        Assert.DoesNotContain("   at ", server.Output);
    }
}
