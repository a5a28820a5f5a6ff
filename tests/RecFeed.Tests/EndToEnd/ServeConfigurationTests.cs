using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// Where the published <c>recfeed serve</c> takes its settings from: its flags, else <c>RECFEED_*</c> variables, and
/// nothing else (no appsettings.json, ASPNETCORE_* or Kestrel__* behind the operator's back); and its JSON log.
/// </summary>
public sealed class ServeConfigurationTests : TempDirectoryTest
{
    private const int Users = 100;

    private readonly string _data;

    public ServeConfigurationTests()
    {
        _data = Dir.File("feeds.bin");
        TwoDatasets.Write(_data, dataset: 1, users: Users, itemsPerUser: 10);
    }

    private static Action<ProcessStartInfo> Environment(params (string Name, string Value)[] variables) => start =>
    {
        foreach (var (name, value) in variables)
            start.Environment[name] = value;
    };

    [Fact]
    public async Task Every_serve_option_can_come_from_the_environment()
    {
        var state = Dir.File("elsewhere.state");
        // The other transport than this run's, so the variable is seen to change it.
        var (transport, described) = TestTransport.Current == RecFeed.Http.Hosting.ServerTransport.Epoll
            ? ("sockets", "sockets")
            : ("epoll", "epoll (1 loop thread)");
        using var serve = RecFeedProcess.Start(Environment(
            ("RECFEED_TRANSPORT", transport),
            ("RECFEED_IO_THREADS", "1"),
            ("RECFEED_FAST_LANE", "off"), // the lane is on by default: off shows the variable is read
            ("RECFEED_DATA", _data),
            ("RECFEED_URLS", "http://127.0.0.1:0"),
            ("RECFEED_ADMIN_URLS", "http://127.0.0.1:0"),
            ("RECFEED_STATE", state),
            ("RECFEED_SNAPSHOT_INTERVAL", "0.5"),
            ("RECFEED_DRAIN_SECONDS", "0"),
            ("RECFEED_LOG_FORMAT", "json")), "serve");
        var address = await serve.WaitForReadyAsync();
        using var client = new HttpClient { BaseAddress = address };
        Assert.Equal([TwoDatasets.Item(1, 3, 0)], TwoDatasets.Parse(await client.GetStringAsync("/feed/3?size=1")));
        var clock = Stopwatch.StartNew();
        while (!File.Exists(state)) // written by the periodic snapshot, not only the final one
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no snapshot at " + state);
            await Task.Delay(50);
        }

        serve.Signal(RecFeedProcess.SIGTERM);

        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var log = serve.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var ready = Assert.Single(log, e => e.GetProperty("Message").GetString()!.StartsWith("ready:", StringComparison.Ordinal));
        Assert.StartsWith("http://127.0.0.1:", ready.GetProperty("State").GetProperty("Admin").GetString());
        Assert.Equal(described, ready.GetProperty("State").GetProperty("Transport").GetString());
        Assert.DoesNotContain(log, e => e.GetProperty("Message").GetString()!.Contains("draining", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_flag_beats_the_environment()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            using var serve = RecFeedProcess.Start(Environment(
                ("RECFEED_DATA", Dir.File("missing.bin")),
                ("RECFEED_URLS", $"http://{taken.LocalEndpoint}"),
                ("RECFEED_SNAPSHOT_INTERVAL", "not a number")),
                "serve", "--data", _data, "--urls", "http://127.0.0.1:0", "--snapshot-interval", "1", "--drain-seconds", "0");

            var address = await serve.WaitForReadyAsync();

            using var client = new HttpClient { BaseAddress = address };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/feed/1?size=1")).StatusCode);
        }
        finally
        {
            taken.Stop();
        }
    }

    [Theory]
    [InlineData("RECFEED_SNAPSHOT_INTERVAL", "soon")]
    [InlineData("RECFEED_SNAPSHOT_INTERVAL", "0")]
    [InlineData("RECFEED_URLS", "ftp://127.0.0.1:1")]
    [InlineData("RECFEED_ADMIN_URLS", "127.0.0.1:1")]
    [InlineData("RECFEED_DRAIN_SECONDS", "-1")]
    [InlineData("RECFEED_LOG_FORMAT", "xml")]
    [InlineData("RECFEED_LOG_FORMAT", "1")]
    [InlineData("RECFEED_TRANSPORT", "uring")]
    [InlineData("RECFEED_TRANSPORT", "0")]
    [InlineData("RECFEED_IO_THREADS", "-1")]
    [InlineData("RECFEED_IO_THREADS", "lots")]
    [InlineData("RECFEED_IO_THREADS", "100000")]
    [InlineData("RECFEED_MAX_REQUEST_BUFFER_SIZE", "9216")]
    [InlineData("RECFEED_MAX_REQUEST_BUFFER_SIZE", "1MiB")]
    [InlineData("RECFEED_METRICS", "private")]
    public async Task A_bad_value_in_the_environment_is_a_one_line_usage_error_naming_the_variable(string variable, string value)
    {
        var (code, _, stderr) = await RecFeedProcess.RunAsync(Environment((variable, value)), "serve", "--data", _data);

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{variable}: ", line);
        Assert.Contains(value, line);
    }

    [Fact]
    public async Task Without_data_from_flag_or_environment_serve_says_both()
    {
        var (code, _, stderr) = await RecFeedProcess.RunAsync(Environment(("RECFEED_DATA", "")), "serve");

        Assert.Equal(1, code);
        Assert.Equal("Option '--data' is required (or set RECFEED_DATA).", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Help_shows_the_variable_beside_every_option()
    {
        var (code, stdout, _) = await RecFeedProcess.RunAsync("serve", "--help");

        Assert.Equal(0, code);
        foreach (var name in new[] { "DATA", "URLS", "ADMIN_URLS", "STATE", "SNAPSHOT_INTERVAL", "DRAIN_SECONDS", "LOG_FORMAT", "METRICS" })
            Assert.Contains($"[env: RECFEED_{name}]", stdout);
    }

    [Fact]
    public async Task Appsettings_ASPNETCORE_and_Kestrel_settings_change_neither_listeners_nor_limits_nor_logging()
    {
        var (fromFile, fromKestrelVariable, fromUrlsVariable) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        File.WriteAllText(Dir.File("appsettings.json"), $$"""
            { "Kestrel": { "Endpoints": { "File": { "Url": "http://127.0.0.1:{{fromFile}}" } }, "Limits": { "MaxRequestLineSize": 16 } },
              "Logging": { "LogLevel": { "Default": "None" } } }
            """);
        using var serve = RecFeedProcess.Start(start =>
        {
            start.WorkingDirectory = Dir.Path;
            start.Environment["Kestrel__Endpoints__Env__Url"] = $"http://127.0.0.1:{fromKestrelVariable}";
            start.Environment["Kestrel__Limits__MaxRequestLineSize"] = "16";
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{fromUrlsVariable}";
            start.Environment["ASPNETCORE_HTTP_PORTS"] = $"{fromUrlsVariable}";
            start.Environment["Logging__LogLevel__Default"] = "None";
        }, "serve", "--data", _data, "--urls", "http://127.0.0.1:0", "--drain-seconds", "0");

        var address = await serve.WaitForReadyAsync(); // the ready line itself shows Logging was not honoured

        Assert.Matches(@"listening on http://127\.0\.0\.1:\d+ \(admin: off\)", serve.Stdout);
        foreach (var port in new[] { fromFile, fromKestrelVariable, fromUrlsVariable })
            await Assert.ThrowsAsync<SocketException>(async () =>
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
            });
        using var client = new HttpClient { BaseAddress = address };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/feed/1?size=1")).StatusCode); // a request line longer than 16 bytes
    }

    [Fact]
    public async Task The_json_log_has_one_object_per_line_with_the_figures_of_ready_reload_and_stop()
    {
        await using var serve = await ServeProcess.StartAsync(_data, "--log-format", "json", "--drain-seconds", "0");
        await serve.Client.GetStringAsync("/feed/1?size=2");
        serve.Signal(ServeProcess.SIGHUP);
        await serve.WaitForLineAsync("SIGHUP:", TimeSpan.FromSeconds(60));

        serve.Signal(ServeProcess.SIGTERM);

        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var log = serve.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        JsonElement State(string messageStart) =>
            Assert.Single(log, e => e.GetProperty("Message").GetString()!.StartsWith(messageStart, StringComparison.Ordinal)).GetProperty("State");
        Assert.Equal(Users, State("ready:").GetProperty("Users").GetInt32());
        Assert.Equal("skipped", State("SIGHUP:").GetProperty("Outcome").GetString());
        Assert.Equal(1, State("stopped:").GetProperty("Users").GetInt32());
        Assert.All(log, e => Assert.Equal("recfeed", e.GetProperty("Category").GetString()));
    }
}
