using System.Text.RegularExpressions;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Bench;

/// <summary>bench/micro.sh in its dry mode: every benchmark runs once and reports that it allocated nothing.</summary>
public sealed class MicroBenchSmokeTests
{
    private static readonly string[] Benchmarks =
        ["ParseUserId", "ParseSizeAbsent", "ParseSizeGiven", "ServeKnownUser", "ServeFallbackOnly", "FormatBody", "WholeRequest"];

    [Fact]
    public async Task Micro_sh_dry_runs_every_benchmark_without_allocating()
    {
        var (code, stdout, stderr) = await BenchScript.RunAsync("micro.sh", TimeSpan.FromMinutes(10), "--dry");

        Assert.True(code == 0, $"micro.sh exited {code}\n{stdout}\n{stderr}");
        // The last column is Allocated: "-" is zero bytes.
        foreach (var name in Benchmarks)
            Assert.True(Regex.IsMatch(stdout, $@"(?m)^\| {name} .*\| +- \|\r?$"), $"no zero-allocation row for {name}:\n{stdout}");
    }
}
