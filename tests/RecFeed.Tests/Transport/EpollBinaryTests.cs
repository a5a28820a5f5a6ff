using System.Globalization;
using System.Net.Sockets;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Transport;

/// <summary>The published binary: its loop threads, its descriptor limit and what it does when descriptors run out.</summary>
public sealed class EpollBinaryTests : TempDirectoryTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly byte[] Healthz = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();

    private string Data()
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, 1000, itemsPerUser: 20);
        return data;
    }

    /// <summary>Each loop thread is named "recfeed epoll K"; /proc shows every thread's name.</summary>
    private static string[] LoopThreads(int pid) =>
        [.. Directory.GetDirectories($"/proc/{pid}/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim())
            .Where(name => name.StartsWith("recfeed epoll", StringComparison.Ordinal))];

    [Fact]
    public async Task Three_addresses_with_io_threads_2_run_two_loop_threads_that_serve_them_all()
    {
        using var serve = RecFeedProcess.Start("serve", "--data", Data(), "--state", Dir.File("feeds.state"), "--transport", "epoll",
            "--io-threads", "2", "--urls", "http://127.0.0.1:0;http://127.0.0.2:0;http://127.0.0.3:0");
        await serve.WaitForReadyAsync();
        var ready = await serve.WaitForLineAsync("ready:", Patience);
        // The lane is on by default; this run's RECFEED_FAST_LANE, which the binary reads too, can switch it off.
        Assert.Contains("over epoll (2 loop threads)" + (TestTransport.FastLane ? " with the fast lane" : ""), ready);
        var from = ready.IndexOf("listening on ", StringComparison.Ordinal) + "listening on ".Length;
        var listening = ready[from..ready.IndexOf(" (admin", StringComparison.Ordinal)];
        var addresses = listening.Split(' ').Select(a => new Uri(a)).ToArray();
        Assert.Equal(3, addresses.Length);
        foreach (var address in addresses)
            for (var i = 0; i < 4; i++)
                Assert.Equal(200, RawHttp.Status(await RawHttp.GetAsync(address, "/healthz")));
        Assert.Equal(["recfeed epoll 0", "recfeed epoll 1"], LoopThreads(serve.Id).Order());
    }

    /// <summary>
    /// Started under a soft limit of 512 (the hard limit is this machine's), serve raises it and holds more than 512
    /// connections, each answered; without the raise, accepting stops near 500 and the rest wait unanswered.
    /// </summary>
    [Fact]
    public async Task Under_a_soft_limit_of_512_serve_raises_it_to_the_hard_limit_and_answers_600_held_connections()
    {
        var hard = HardDescriptorLimit();
        Assert.True(hard >= 2048, $"this machine's hard limit on open files is {hard}: too low for the test");
        var prlimit = SystemTool.Find("prlimit", "util-linux");
        using var serve = RecFeedProcess.Start(start =>
        {
            start.ArgumentList.Insert(0, $"--nofile=512:{hard}");
            start.ArgumentList.Insert(1, "--");
            start.ArgumentList.Insert(2, start.FileName);
            start.FileName = prlimit;
        }, "serve", "--data", Data(), "--state", Dir.File("feeds.state"), "--urls", "http://127.0.0.1:0", "--transport", TestTransport.Name);
        var address = await serve.WaitForReadyAsync();
        Assert.EndsWith($", up to {hard} open files", (await serve.WaitForLineAsync("ready:", Patience)).TrimEnd());

        const int Held = 600;
        var sockets = new List<Socket>();
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
            for (var i = 0; i < Held; i++)
            {
                var socket = await RawHttp.ConnectAsync(address);
                sockets.Add(socket);
                await socket.SendAsync(Healthz);
                Assert.Equal(200, (await new ResponseReader(socket).ReadAsync(timeout.Token))!.Status);
            }
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    /// <summary>
    /// Under a limit it cannot raise, more connections than descriptors: accepting pauses (logged, counted, and the
    /// alert's metric moves), the server stays up, and once the clients leave it accepts again.
    /// </summary>
    [Fact]
    public async Task Out_of_descriptors_accepting_pauses_is_counted_and_resumes_when_clients_leave()
    {
        var prlimit = SystemTool.Find("prlimit", "util-linux");
        using var serve = RecFeedProcess.Start(start =>
        {
            start.ArgumentList.Insert(0, "--nofile=128:128");
            start.ArgumentList.Insert(1, "--");
            start.ArgumentList.Insert(2, start.FileName);
            start.FileName = prlimit;
        }, "serve", "--data", Data(), "--state", Dir.File("feeds.state"), "--urls", "http://127.0.0.1:0", "--transport", "epoll");
        var address = await serve.WaitForReadyAsync();
        var sockets = new List<Socket>();
        try
        {
            // Connecting completes in the kernel's backlog whether or not serve can accept: 200 exceed 128 descriptors.
            for (var i = 0; i < 200; i++)
                sockets.Add(await RawHttp.ConnectAsync(address));
            await serve.WaitForLineAsync("accept paused", Patience);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
        using var client = new HttpClient { BaseAddress = address, Timeout = Patience };
        var metrics = MetricsText.Samples(await client.GetStringAsync("/metrics"));
        Assert.True(metrics["recfeed_transport_accept_pauses_total"] >= 1);
        Assert.Equal(0, serve.Stdout.Split('\n').Count(l => l.Contains("crit", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal)));
    }

    /// <summary>/proc/self/limits: "Max open files            SOFT                 HARD                 files".</summary>
    private static long HardDescriptorLimit()
    {
        var line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[1], CultureInfo.InvariantCulture);
    }
}
