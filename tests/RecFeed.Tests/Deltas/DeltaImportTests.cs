using RecFeed.Cli.Commands;
using RecFeed.Import;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Deltas;

/// <summary><c>recfeed import --delta-for</c> in process: every input format to the same delta, the base's shape, the base's users only.</summary>
public sealed class DeltaImportTests : TempDirectoryTest
{
    private async Task<(ExitCode Code, string Stderr)> ImportAsync(string input, string @base, string output)
    {
        var stderr = new StringWriter();
        var code = await ImportCommand.RunAsync(new StringWriter(), stderr, new ImportSettings { Input = input }, output, @base, CancellationToken.None);
        return (code, stderr.ToString());
    }

    [Fact]
    public async Task Csv_tsv_and_parquet_give_the_same_delta_in_the_shape_of_a_sharded_base()
    {
        // Shard 1 of 3, 20 local rows: users 1, 4, ..., 58. Lists longer than the base's 4 items are cut.
        var @base = Dir.File("feeds.1-of-3.bin");
        TestFeeds.WriteLists(@base, [.. Enumerable.Range(0, 20).Select(r => new uint[] { (uint)r + 1 })], [9], itemsPerUser: 4, shardIndex: 1, shardCount: 3);
        File.WriteAllText(Dir.File("c.csv"), "user_id,items\n58,5 6 7 8 9\n4,1 2\n");
        File.WriteAllText(Dir.File("c.tsv"), "user_id\titems\n58\t5,6,7,8,9\n4\t1,2\n");
        await ParquetFiles.WriteWideAsync(Dir.File("c.parquet"), [new(58, [5, 6, 7, 8, 9]), new(4, [1, 2])]);

        var ids = new List<ulong>();
        foreach (var input in new[] { "c.csv", "c.tsv", "c.parquet" })
        {
            var output = Path.Combine(@base + ".deltas", input + ".delta");
            var (code, stderr) = await ImportAsync(Dir.File(input), @base, output);
            Assert.True(code == ExitCode.Ok, stderr);
            using var delta = DeltaSlab.Load(output);
            Assert.Equal((1u, 3u, 4u, 20UL), (delta.Header.ShardIndex, delta.Header.ShardCount, delta.Header.ItemsPerUser, delta.Header.BaseUserCount));
            Assert.Equal([1UL, 19UL], new[] { delta.UserAt(0), delta.UserAt(1) });
            Assert.Equal([1u, 2], delta.Row(0).ToArray());
            Assert.Equal([5u, 6, 7, 8], delta.Row(1).ToArray());
            ids.Add(delta.Header.DeltaId);
        }
        Assert.Single(ids.Distinct());
    }

    [Theory]
    [InlineData("user_id,items\n5,1 2\n", "user id 5 is not in the base (shard 1/3, 20 users)")]
    [InlineData("user_id,items\n61,1 2\n", "user id 61 is not in the base (shard 1/3, 20 users)")]
    public async Task A_user_outside_the_base_fails_the_import_and_writes_nothing(string csv, string reason)
    {
        var @base = Dir.File("feeds.1-of-3.bin");
        TestFeeds.WriteLists(@base, [.. Enumerable.Range(0, 20).Select(r => new uint[] { (uint)r + 1 })], [9], itemsPerUser: 4, shardIndex: 1, shardCount: 3);
        File.WriteAllText(Dir.File("c.csv"), csv);
        var output = Path.Combine(@base + ".deltas", "0001.delta");

        var (code, stderr) = await ImportAsync(Dir.File("c.csv"), @base, output);

        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains(reason, stderr);
        Assert.False(File.Exists(output));
    }
}
