using System.Text.RegularExpressions;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Bench;

/// <summary>
/// bench/micro.sh in its dry mode: every benchmark runs and reports a row. A dry job calls each benchmark once with no
/// warm-up, so a first call's one-time set-up shows in its Allocated column; that steady-state requests allocate
/// nothing is guarded by HotPathAllocationTests (warmed, per call) and the full micro.sh run.
/// </summary>
public sealed class MicroBenchSmokeTests
{
    private static readonly string[] Benchmarks =
        ["ParseUserId", "ParseSizeAbsent", "ParseSizeGiven", "ServeKnownUser", "ServeExhaustedUser", "ServeFallbackOnly", "FormatBody", "WholeRequest"];

    [Fact]
    public async Task Micro_sh_dry_runs_every_benchmark()
    {
        using var script = ScriptProcess.Start("bench/micro.sh", new Dictionary<string, string>(), "--dry");
        var code = await script.WaitForExitAsync(TimeSpan.FromMinutes(10));
        var stdout = script.Output;

        Assert.True(code == 0, $"micro.sh exited {code}\n{stdout}");
        // The last column is Allocated: "-" for zero bytes, else "N B".
        foreach (var name in Benchmarks)
            Assert.True(Regex.IsMatch(stdout, $@"(?m)^\| {name} +\|.*\| +(-|\d+ B) \|\r?$"), $"no result row for {name}:\n{stdout}");
    }
}
