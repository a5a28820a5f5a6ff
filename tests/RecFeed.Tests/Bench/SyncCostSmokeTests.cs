using System.Globalization;
using System.Text.RegularExpressions;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Bench;

/// <summary>
/// bench/SyncCost, whose figures bench/README.md and docs/scale.md cite, on small data against a real redis-server:
/// each round sends the users A served and B takes every one of them in.
/// </summary>
public sealed partial class SyncCostSmokeTests : TempDirectoryTest
{
    private const int Users = 100_000;

    [Fact]
    public async Task SyncCost_sends_the_active_users_and_the_peer_takes_them_in()
    {
        using var redis = new RedisServer();
        var data = Dir.File("feeds.bin");
        var (code, _, stderr) = await RecFeedProcess.RunAsync("generate", "--users", $"{Users}", "--items-per-user", "2", "--out", data);
        Assert.True(code == 0, stderr);

        var (exit, output) = await BenchProgram.RunAsync("SyncCost.dll", data, redis.Address.ToString(), "500", "3");

        Assert.True(exit == 0, output);
        var rounds = Round().Matches(output);
        Assert.Equal(3, rounds.Count);
        foreach (Match round in rounds)
        {
            var users = long.Parse(round.Groups["sent"].Value, CultureInfo.InvariantCulture);
            Assert.InRange(users, 1, 500); // distinct users of 500 random draws
            Assert.Equal(users, long.Parse(round.Groups["taken"].Value, CultureInfo.InvariantCulture));
            Assert.InRange(long.Parse(round.Groups["bytes"].Value, CultureInfo.InvariantCulture), 6 * users, 6 * users + 1000);
        }
    }

    [GeneratedRegex(@"(?m)^round +\d+: A sent +(?<sent>\d+) users in +(?<bytes>\d+) bytes .*B took in +(?<taken>\d+) users")]
    private static partial Regex Round();
}
