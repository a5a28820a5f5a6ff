using System.Globalization;
using System.Text.RegularExpressions;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Bench;

/// <summary>bench/DeltaCost, whose figures bench/README.md and docs/operations.md cite, on small data.</summary>
public sealed partial class DeltaCostSmokeTests : TempDirectoryTest
{
    [Fact]
    public async Task DeltaCost_applies_a_delta_and_counts_its_bytes_against_the_file()
    {
        var data = Dir.File("feeds.bin");
        var (code, _, stderr) = await RecFeedProcess.RunAsync("generate", "--users", "50000", "--items-per-user", "50", "--out", data);
        Assert.True(code == 0, stderr);

        var (exit, stdout) = await BenchProgram.RunAsync("DeltaCost.dll", data, "1", "10000");

        Assert.True(exit == 0, stdout);
        var apply = Apply().Match(stdout);
        Assert.True(apply.Success, stdout);
        Assert.Equal(500, int.Parse(apply.Groups["users"].Value, CultureInfo.InvariantCulture));
        // The rows are the file less its header; the rest is the bit map (50,000 / 8), positions and the managed bookkeeping.
        Assert.InRange(double.Parse(apply.Groups["ratio"].Value, CultureInfo.InvariantCulture), 1.0, 1.3);
        Assert.Matches(@"requests without a delta row: 10000, \d+ ns a request", stdout);
        Assert.Matches(@"requests with a delta row: 10000, \d+ ns a request", stdout);
        Assert.Empty(Directory.GetFiles(data + ".deltas"));
    }

    [GeneratedRegex(@"apply: (?<users>\d+) users \(1 %\), delta file \d+ bytes, applied in [\d.]+ s; " +
        @"native \d+ bytes, managed \d+ bytes: (?<ratio>[\d.]+) x the file")]
    private static partial Regex Apply();
}
