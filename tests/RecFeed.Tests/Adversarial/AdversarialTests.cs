using System.Globalization;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Adversarial;

/// <summary>
/// Attack and load clients no one here wrote (slowhttptest, wrk, h2load), run by tests/adversarial/attack.sh against
/// the published binary on this run's transport; the script prints each attack's figures, judged here. Each attack
/// gets its own server. Resident memory is printed with the figures, never asserted.
/// </summary>
public sealed class AdversarialTests
{
    private const string Script = "tests/adversarial/attack.sh";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs the script for one attack and returns each printed line's figures, by attack name.</summary>
    private static async Task<Dictionary<string, Dictionary<string, string>>> RunAsync(string attack)
    {
        using var script = ScriptProcess.Start(Script,
            new Dictionary<string, string> { ["RECFEED_BIN"] = RepoPaths.Binary, ["RECFEED_TRANSPORT"] = TestTransport.Name }, attack);
        var exit = await script.WaitForExitAsync(ScriptTimeout);
        Assert.True(exit == 0, $"{Script} {attack} exited {exit}:\n{script.Output}");
        var lines = script.Output.Split('\n').Where(l => l.StartsWith("attack=", StringComparison.Ordinal)).ToArray();
        foreach (var line in lines)
            Console.WriteLine(line);
        return lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]))
            .ToDictionary(f => f["attack"]);
    }

    private static long Figure(Dictionary<string, string> figures, string name) =>
        long.Parse(figures[name], CultureInfo.InvariantCulture);

    /// <summary>Every probe answered, this script's curl and slowhttptest's own alike.</summary>
    private static void AssertAvailable(Dictionary<string, string> f)
    {
        var what = string.Join(' ', f.Select(p => $"{p.Key}={p.Value}"));
        Assert.True(Figure(f, "probes") > 0, what);
        Assert.True(Figure(f, "probes_ok") == Figure(f, "probes"), "the service did not answer every probe: " + what);
        Assert.True(Figure(f, "tool_probes_ok") == Figure(f, "tool_probes"), "slowhttptest found the service unavailable: " + what);
    }

    /// <summary>
    /// The attack held its connections open on the server (nine in ten at least: slowhttptest ramps up and may lose a
    /// few), and the server closed every one of them while the attacker still held it: its descriptors came back to
    /// the baseline before the attacker's time limit, give or take the probe's own connection.
    /// </summary>
    private static void AssertClosedByServer(Dictionary<string, string> f)
    {
        var what = string.Join(' ', f.Select(p => $"{p.Key}={p.Value}"));
        Assert.True(Figure(f, "held") >= Figure(f, "connections") * 9 / 10, "the attack never held its connections: " + what);
        Assert.True(Figure(f, "fds_low") <= Figure(f, "fds_baseline") + 1, "the server did not close the attackers' connections: " + what);
    }

    [Fact]
    public async Task Slowloris_headers_are_cut_off_by_the_header_timeout_while_the_service_answers()
    {
        var f = (await RunAsync("slowloris"))["slowloris"];
        AssertAvailable(f);
        AssertClosedByServer(f);
        Assert.Equal("all-closed", f["ended"]);
    }

    [Fact]
    public async Task A_slow_body_is_refused_at_once_while_the_service_answers()
    {
        // The public listener takes no body (MaxRequestBodySize 0): each connection is answered and closed without
        // waiting for the trickle, so slowhttptest runs out of connections long before its limit.
        var f = (await RunAsync("slowbody"))["slowbody"];
        AssertAvailable(f);
        Assert.Equal("all-closed", f["ended"]);
    }

    [Fact]
    public async Task Slow_readers_of_feed_and_of_metrics_are_closed_by_the_keep_alive_timeout_while_the_service_answers()
    {
        // /metrics must cost the same whatever the connection count: 2,000 slow readers scraping it must not starve
        // the probes (issue 17, item 2).
        var figures = await RunAsync("slowread");
        foreach (var attack in new[] { "slowread-feed", "slowread-metrics" })
        {
            AssertAvailable(figures[attack]);
            AssertClosedByServer(figures[attack]);
        }
    }

    [Fact]
    public async Task Ten_thousand_keep_alive_connections_get_no_socket_error_and_leave_no_descriptor_behind()
    {
        var f = (await RunAsync("wrk-10k"))["wrk-10k"];
        var what = string.Join(' ', f.Select(p => $"{p.Key}={p.Value}"));
        Assert.True(Figure(f, "requests") > 0, what);
        Assert.True(Figure(f, "socket_errors") == 0, what);
        Assert.True(Figure(f, "non_2xx") == 0, what);
        Assert.True(Figure(f, "fds_peak") - Figure(f, "fds_baseline") >= 10_000, "the server never held the 10,000 connections at once: " + what);
        Assert.True(Figure(f, "fds_after") <= Figure(f, "fds_baseline"), "descriptors did not come back to the baseline: " + what);
    }

    [Fact]
    public async Task H2load_keep_alive_and_pipelined_requests_are_all_answered_200_and_counted_once()
    {
        var f = (await RunAsync("h2load"))["h2load"];
        var what = string.Join(' ', f.Select(p => $"{p.Key}={p.Value}"));
        const long Requests = 20_000;
        foreach (var name in new[] { "requests", "done", "succeeded", "status_2xx", "served" })
            Assert.True(Figure(f, name) == Requests, $"{name} is not {Requests}: {what}");
        foreach (var name in new[] { "failed", "errored", "timeout", "status_3xx", "status_4xx", "status_5xx" })
            Assert.True(Figure(f, name) == 0, $"{name} is not 0: {what}");
    }
}
