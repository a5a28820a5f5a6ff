using System.Globalization;
using System.Text.RegularExpressions;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Bench;

/// <summary>
/// bench/load.sh, which the README tells users to run, on small data: all four targets, short runs, ports this test
/// found free. It installs its own tools (wrk, nginx, Go with fasthttp, gnuplot) and builds what is missing.
/// </summary>
public sealed partial class LoadBenchSmokeTests : TempDirectoryTest
{
    private static readonly string[] Targets = ["recfeed", "kestrel", "nginx", "go"];

    [Fact]
    public async Task Load_sh_measures_all_four_targets_and_draws_the_chart()
    {
        var chart = Dir.File("chart.svg");
        using var script = ScriptProcess.Start("bench/load.sh", new Dictionary<string, string>(),
            "--users", "10000", "--duration", "2", "--warmup", "1", "--connections", "16", "--no-build",
            "--port-base", FreePort.Block(4).ToString(CultureInfo.InvariantCulture), "--chart", chart);
        var code = await script.WaitForExitAsync(TimeSpan.FromMinutes(10));
        var stdout = script.Output;

        Assert.True(code == 0, $"load.sh exited {code}\n{stdout}");
        foreach (var target in Targets)
        {
            var row = TableRow().Matches(stdout).SingleOrDefault(m => m.Groups["target"].Value == target);
            Assert.True(row is not null, $"no row for {target} in:\n{stdout}");
            Assert.True(long.Parse(row.Groups["rps"].Value, CultureInfo.InvariantCulture) > 0, $"{target} had 0 RPS:\n{stdout}");
        }
        // recfeed's row carries bytes per request from its own allocation counter; the others have none.
        Assert.Matches(@"(?m)^recfeed\s+(\S+\s+){7}\d+\.\d\s", stdout);
        Assert.Contains("recfeed / Go design:", stdout);
        Assert.StartsWith("<?xml", File.ReadAllText(chart).TrimStart());
    }

    [GeneratedRegex(@"(?m)^(?<target>recfeed|kestrel|nginx|go)\s+(?<rps>\d+)\s")]
    private static partial Regex TableRow();
}
