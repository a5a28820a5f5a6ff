using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// The fallback rule on the published binary: a user who has read their list gets the fallback sequence the test
/// predicts from their id and the dataset id (<see cref="FallbackModel"/>), without their own items, and after a
/// SIGTERM and a restart on the same state file the sequence goes on where it stopped, into the next cycle.
/// </summary>
public sealed class FallbackRestartTests : TempDirectoryTest
{
    private const int ItemsPerUser = 5;
    private const uint User = 3;

    [Fact]
    public async Task A_users_fallback_sequence_is_the_predicted_one_and_continues_across_a_restart()
    {
        var data = Dir.File("feeds.bin");
        uint[] fallback = [.. Enumerable.Range(1_000, 37).Select(i => (uint)i)];
        // User 3's list shares two ids with the fallback list: those never come back as fallback.
        var rows = Enumerable.Range(0, 10).Select(u => u == User ? new uint[] { 31, 1_004, 32, 1_020, 33 }
            : [.. Enumerable.Range(0, ItemsPerUser).Select(p => (uint)(u * 100 + p + 1))]).ToList();
        var datasetId = TestFeeds.WriteLists(data, rows, fallback, ItemsPerUser).DatasetId;
        var expected = FallbackModel.Sequence(fallback, datasetId, User, rows[(int)User], 48); // a cycle is 35

        await using (var first = await ServeProcess.StartAsync(data, "--snapshot-interval", "3600", "--drain-seconds", "0"))
        {
            Assert.Equal(rows[(int)User], await FeedAsync(first, ItemsPerUser));
            Assert.Equal(expected[..24], await FallbackAsync(first, requests: 6));
            Assert.NotEqual(expected[..4], FallbackModel.Sequence(fallback, datasetId, 4, rows[4], 4));
            first.Signal(ServeProcess.SIGTERM);
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        await using var second = await ServeProcess.StartAsync(data, "--snapshot-interval", "3600");
        await second.WaitForLineAsync("read positions restored", TimeSpan.FromSeconds(5));
        Assert.Equal(expected[24..], await FallbackAsync(second, requests: 6));
    }

    private static async Task<uint[]> FeedAsync(ServeProcess serve, int size) =>
        TwoDatasets.Parse(await serve.Client.GetStringAsync($"/feed/{User}?size={size}"));

    /// <summary>Requests of 4 items each; every response holds 4 distinct ids.</summary>
    private static async Task<uint[]> FallbackAsync(ServeProcess serve, int requests)
    {
        var served = new List<uint>();
        for (var r = 0; r < requests; r++)
        {
            var items = await FeedAsync(serve, 4);
            Assert.Equal(4, items.Distinct().Count());
            served.AddRange(items);
        }
        return [.. served];
    }
}
