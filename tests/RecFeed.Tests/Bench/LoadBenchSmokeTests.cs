using System.Globalization;
using System.Text.RegularExpressions;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Bench;

/// <summary>
/// bench/load.sh, which the README tells users to run, on small data: all six targets (the C floor among them) in two
/// interleaved rounds, short runs, recfeed's loop count and lane given explicitly, syscall counts under strace, ports
/// this test found free. It installs its own tools (wrk, nginx, Go with fasthttp, gnuplot, strace, gcc) and builds
/// what is missing.
/// </summary>
public sealed partial class LoadBenchSmokeTests : TempDirectoryTest
{
    private static readonly string[] Targets = ["recfeed", "recfeed-sockets", "kestrel", "nginx", "cfloor", "go"];

    [Fact]
    public async Task Load_sh_measures_every_target_in_interleaved_rounds_counts_syscalls_and_draws_the_chart()
    {
        var chart = Dir.File("chart.svg");
        using var script = ScriptProcess.Start("bench/load.sh", new Dictionary<string, string>(),
            "--users", "10000", "--duration", "2", "--warmup", "1", "--connections", "16", "--no-build", "--rounds", "2",
            "--strace", "1", "--io-threads", "1", "--fast-lane", "on",
            "--port-base", FreePort.Block(6).ToString(CultureInfo.InvariantCulture), "--chart", chart);
        var code = await script.WaitForExitAsync(TimeSpan.FromMinutes(10));
        var stdout = script.Output;

        Assert.True(code == 0, $"load.sh exited {code}\n{stdout}");
        foreach (var target in Targets)
            for (var round = 1; round <= 2; round++)
            {
                var row = TableRow().Matches(stdout).SingleOrDefault(m => m.Groups["target"].Value == target && m.Groups["round"].Value == $"{round}");
                Assert.True(row is not null, $"no row for {target} in round {round} in:\n{stdout}");
                Assert.True(long.Parse(row.Groups["rps"].Value, CultureInfo.InvariantCulture) > 0, $"{target} had 0 RPS:\n{stdout}");
            }
        // recfeed's rows carry bytes per request from its own allocation counter; the others have none.
        Assert.Matches(@"(?m)^recfeed/1\s+(\S+\s+){7}\d+\.\d\s", stdout);
        Assert.Matches(@"(?m)^recfeed-sockets/2\s+(\S+\s+){7}\d+\.\d\s", stdout);
        Assert.Contains("recfeed / Go design:", stdout);
        Assert.Contains("recfeed: serve --io-threads 1 --fast-lane on", stdout);
        // CPU per request for every target, and recfeed's against the C floor's as against nginx's.
        Assert.Matches(@"recfeed / C floor: +RPS \d+\.\d\d, CPU per request \d+\.\d\d", stdout);
        Assert.Matches(@"recfeed / nginx: +RPS \d+\.\d\d, CPU per request \d+\.\d\d", stdout);
        Assert.Matches(@"recfeed / recfeed-sockets: +RPS \d+\.\d\d, CPU per request \d+\.\d\d, p99 \d+\.\d\d", stdout);
        // strace's counts: every answered request took at least one receive and one send.
        foreach (var target in new[] { "recfeed", "recfeed-sockets", "nginx" })
        {
            var counts = Syscalls().Matches(stdout).SingleOrDefault(m => m.Groups["target"].Value == target);
            Assert.True(counts is not null, $"no syscall counts for {target} in:\n{stdout}");
            Assert.True(double.Parse(counts.Groups["total"].Value, CultureInfo.InvariantCulture) >= 2, counts.Value);
        }
        Assert.StartsWith("<?xml", File.ReadAllText(chart).TrimStart());
    }

    [GeneratedRegex(@"(?m)^(?<target>recfeed|recfeed-sockets|kestrel|nginx|cfloor|go)/(?<round>\d)\s+(?<rps>\d+)\s")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"(?m)^syscalls per request, (?<target>\S+): (?<total>\d+\.\d+) total:")]
    private static partial Regex Syscalls();
}
