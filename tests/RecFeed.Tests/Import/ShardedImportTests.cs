using RecFeed.Cli.Commands;
using RecFeed.Import;
using RecFeed.Slab;

namespace RecFeed.Tests.Import;

/// <summary><c>import --shards n [--shard k]</c>: each shard holds the unsharded file's rows of its own users.</summary>
public sealed class ShardedImportTests : IDisposable
{
    private readonly ImportHarness _h = new();

    public void Dispose() => _h.Dispose();

    private string Input() => _h.WriteText("recs.csv", string.Join('\n', Enumerable.Range(0, 11).Select(u => $"{u},{u * 10 + 1} {u * 10 + 2}")) + "\n");

    [Fact]
    public async Task All_shards_in_one_pass_hold_each_users_row_at_its_dense_index()
    {
        var whole = await _h.ImportAsync(new ImportSettings { Input = Input(), ItemsPerUser = 2 });
        Assert.Equal(ExitCode.Ok, await _h.RunAsync(new ImportSettings { Input = Input(), ItemsPerUser = 2, Shards = 3 }));
        Assert.Contains("feeds.0-of-3.bin, ", _h.Stdout);
        for (uint k = 0; k < 3; k++)
        {
            var path = _h.Path($"feeds.{k}-of-3.bin");
            using (var slab = FeedSlab.Load(path))
                Assert.Equal((k, 3u), (slab.Header.ShardIndex, slab.Header.ShardCount));
            var rows = ImportHarness.Rows(path);
            Assert.Equal(Enumerable.Range(0, 11).Where(u => u % 3 == k).Select(u => whole[u]), rows);
        }
    }

    [Fact]
    public async Task One_shard_goes_to_out_and_an_out_of_range_shard_is_refused()
    {
        Assert.Equal(ExitCode.Ok, await _h.RunAsync(new ImportSettings { Input = Input(), ItemsPerUser = 2, Shards = 2, Shard = 1 }));
        Assert.Equal([[11u, 12], [31, 32], [51, 52], [71, 72], [91, 92]], ImportHarness.Rows(_h.Output)); // users 1, 3, 5, 7, 9
        File.Delete(_h.Output);
        Assert.Equal("--shard 2 is out of range for --shards 2; shards are numbered 0..1",
            await _h.FailAsync(new ImportSettings { Input = Input(), ItemsPerUser = 2, Shards = 2, Shard = 2 }));
    }
}
