using System.Net;
using System.Net.Sockets;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>Starting and stopping the published <c>recfeed serve</c>: defaults, bind failures, signals at the edges.</summary>
public sealed class ServeStartStopTests : TempDirectoryTest
{
    private readonly string _data;

    public ServeStartStopTests()
    {
        _data = Dir.File("feeds.bin");
        TwoDatasets.Write(_data, dataset: 1, users: 100, itemsPerUser: 10);
    }

    private static int TakenPort(out TcpListener listener)
    {
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Two_instances_with_default_admin_settings_start_side_by_side()
    {
        var other = Dir.File("other.bin");
        TwoDatasets.Write(other, dataset: 2, users: 100, itemsPerUser: 10);

        await using var first = await ServeProcess.StartAsync(_data);
        await using var second = await ServeProcess.StartAsync(other);

        Assert.Equal([TwoDatasets.Item(1, 5, 0)], TwoDatasets.Parse(await first.Client.GetStringAsync("/feed/5?size=1")));
        Assert.Equal([TwoDatasets.Item(2, 5, 0)], TwoDatasets.Parse(await second.Client.GetStringAsync("/feed/5?size=1")));
        Assert.Contains("(admin: off)", first.Output);
    }

    /// <summary>What the old default did: every instance took the same admin port, so the second could not start.</summary>
    [Fact]
    public async Task Two_instances_given_the_same_admin_port_clash_and_the_second_says_so_in_one_line()
    {
        var admin = $"http://127.0.0.1:{TakenPort(out var probe)}";
        probe.Stop();
        await using var first = await ServeProcess.StartAsync(_data, "--admin-urls", admin);

        var (code, stdout, stderr) = await RecFeedProcess.RunAsync(
            "serve", "--data", _data, "--urls", "http://127.0.0.1:0", "--admin-urls", admin, "--state", Dir.File("second.state"));

        Assert.Equal(1, code);
        Assert.Contains("cannot listen", stderr);
        Assert.Contains("address already in use", stderr);
    }

    [Fact]
    public async Task A_taken_port_is_one_line_and_exit_1_with_no_stack_trace()
    {
        var port = TakenPort(out var listener);
        try
        {
            var (code, stdout, stderr) = await RecFeedProcess.RunAsync("serve", "--data", _data, "--urls", $"http://127.0.0.1:{port}");

            var lines = (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(1, code);
            Assert.DoesNotContain(lines, l => l.StartsWith("   at ", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal));
            var error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal($"recfeed serve: cannot listen: Failed to bind to address http://127.0.0.1:{port}: address already in use.", error);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>
    /// The epoll transport binds one listening socket without SO_REUSEPORT on purpose: with it, a second instance
    /// started on the same port by mistake would bind too and quietly take part of the connections.
    /// </summary>
    [Fact]
    public async Task A_second_instance_on_the_port_of_a_running_one_is_refused_with_address_in_use()
    {
        await using var first = await ServeProcess.StartAsync(_data, "--drain-seconds", "0", "--state", Dir.File("first.state"));
        var port = first.Address.Port;

        var (code, _, stderr) = await RecFeedProcess.RunAsync("serve", "--data", _data, "--urls", $"http://127.0.0.1:{port}",
            "--state", Dir.File("second.state"));

        Assert.Equal(1, code);
        Assert.Equal($"recfeed serve: cannot listen: Failed to bind to address http://127.0.0.1:{port}: address already in use.",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(HttpStatusCode.OK, (await first.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task SIGHUP_while_loading_does_not_kill_the_process_and_the_reload_runs_once_ready()
    {
        // Large enough that the load takes a moment after the "loading" line: 400k users x 100 items, 160 MB.
        var big = Dir.File("big.bin");
        var (code, _, stderr) = await RecFeedProcess.RunAsync("generate", "--users", "400000", "--items-per-user", "100", "--out", big);
        Assert.True(code == 0, stderr);
        using var process = RecFeedProcess.Start("serve", "--data", big, "--urls", "http://127.0.0.1:0");
        await process.WaitForLineAsync("loading ", TimeSpan.FromSeconds(60));

        process.Signal(ServeProcess.SIGHUP);

        await process.WaitForReadyAsync();
        var reload = await process.WaitForLineAsync("(received while starting): ", TimeSpan.FromSeconds(60));
        Assert.Contains("SIGHUP: received while starting, the reload runs once the server is ready", process.Stdout);
        Assert.Contains("reload skipped", reload);
        process.Signal(ServeProcess.SIGTERM);
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task SIGHUP_while_stopping_neither_kills_the_process_nor_races_the_stop()
    {
        await using var serve = await ServeProcess.StartAsync(_data);
        await serve.Client.GetStringAsync("/feed/1?size=2");

        serve.Signal(ServeProcess.SIGTERM);
        for (var i = 0; i < 50; i++)
        {
            try
            {
                serve.Signal(ServeProcess.SIGHUP);
            }
            catch (InvalidOperationException)
            {
                break; // exited already
            }
        }

        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("stopped: ", serve.Output);
        Assert.DoesNotContain("Exception", serve.Output);
    }

    /// <summary>
    /// Ctrl-C in a terminal: the drain is for a supervisor's SIGTERM or a rolling restart, a person who interrupts
    /// wants the server gone with its work kept. With the default drain (5 s) the log shows it was skipped: no drain
    /// line, the interrupt, then the listeners closing and the final snapshot, in that order.
    /// </summary>
    [Fact]
    public async Task SIGINT_stops_without_the_drain_finishing_requests_and_writing_the_final_snapshot()
    {
        await using var serve = await ServeProcess.StartAsync(_data, "--snapshot-interval", "3600");
        Assert.Equal([TwoDatasets.Item(1, 1, 0), TwoDatasets.Item(1, 1, 1)], TwoDatasets.Parse(await serve.Client.GetStringAsync("/feed/1?size=2")));

        serve.Signal(RecFeedProcess.SIGINT);

        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var output = serve.Output;
        Assert.DoesNotContain("draining", output);
        var interrupted = output.IndexOf("stopping: interrupted (SIGINT), no drain", StringComparison.Ordinal);
        var closing = output.IndexOf("stopping: listeners closed to new connections", StringComparison.Ordinal);
        var stopped = output.IndexOf("stopped: final snapshot written", StringComparison.Ordinal);
        Assert.True(interrupted >= 0 && interrupted < closing && closing < stopped, output);
        Assert.True(File.Exists(_data + ".state"));
    }

    /// <summary>
    /// SIGTERM keeps the drain: /healthz answers 503 "draining" while feeds are still served. The drain here is long
    /// and ended by a second SIGTERM once seen, so the test follows what the server says, not a clock.
    /// </summary>
    [Fact]
    public async Task SIGTERM_drains_healthz_answers_503_while_feeds_are_still_served_and_a_second_signal_ends_it()
    {
        await using var serve = await ServeProcess.StartAsync(_data, "--drain-seconds", "600", "--snapshot-interval", "3600");
        await serve.Client.GetStringAsync("/feed/1?size=2");

        serve.Signal(ServeProcess.SIGTERM);
        await serve.WaitForLineAsync("stopping: draining", TimeSpan.FromSeconds(60));

        using (var health = await serve.Client.GetAsync("/healthz"))
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "draining\n"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        Assert.Equal([TwoDatasets.Item(1, 1, 2)], TwoDatasets.Parse(await serve.Client.GetStringAsync("/feed/1?size=1")));
        serve.Signal(ServeProcess.SIGTERM);
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("stopping: drain cut short (a second SIGINT/SIGTERM)", serve.Output);
        Assert.Contains("stopped: final snapshot written", serve.Output);
    }
}
