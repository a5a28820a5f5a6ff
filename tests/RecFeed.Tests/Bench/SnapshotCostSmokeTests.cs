using System.Globalization;
using System.Text.RegularExpressions;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Bench;

/// <summary>
/// bench/SnapshotCost, whose figures docs/operations.md cites (bench/README.md), on small data: a base, then journal
/// records of what each round moved, then a restore of them all.
/// </summary>
public sealed partial class SnapshotCostSmokeTests : TempDirectoryTest
{
    private const int Users = 100_000;

    [Fact]
    public async Task SnapshotCost_writes_a_base_then_journal_records_and_restores_them()
    {
        var data = Dir.File("feeds.bin");
        var (code, _, stderr) = await RecFeedProcess.RunAsync("generate", "--users", $"{Users}", "--items-per-user", "1", "--out", data);
        Assert.True(code == 0, stderr);

        var (exit, stdout) = await BenchProgram.RunAsync("SnapshotCost.dll", data, Dir.File("state"), "100", "3");

        Assert.True(exit == 0, stdout);
        var rounds = Round().Matches(stdout);
        Assert.Equal(3, rounds.Count);
        // The first snapshot of a process is a base: a 64-byte header and 2 + 2 bytes per user's position and cursor.
        Assert.Equal(64 + 4 * Users, Bytes(rounds[0]));
        // The next ones are journal records of the chunks of 64 users that moved: at most 100 of 1,563.
        Assert.All(rounds.Skip(1), r => Assert.InRange(Bytes(r), 1, 64 + 4 * Users - 1));
        Assert.Matches(@"restore: Restored, base \+ 2 records, \d+ users past the start", stdout);
    }

    private static long Bytes(Match round) => long.Parse(round.Groups["bytes"].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(?m)^round +\d+: +(?<bytes>\d+) bytes written, lock held")]
    private static partial Regex Round();
}
