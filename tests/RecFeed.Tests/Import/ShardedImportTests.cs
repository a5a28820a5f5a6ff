using RecFeed.Cli.Commands;
using RecFeed.Format;
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

    [Fact]
    public async Task One_shard_written_alone_is_byte_identical_to_the_same_shard_written_with_all()
    {
        Assert.Equal(ExitCode.Ok, await _h.RunAsync(new ImportSettings { Input = Input(), ItemsPerUser = 2, Shards = 3, FallbackTop = 4 }));
        Assert.Equal(ExitCode.Ok, await _h.RunAsync(new ImportSettings { Input = Input(), ItemsPerUser = 2, Shards = 3, Shard = 1, FallbackTop = 4 }));
        Assert.Equal(File.ReadAllBytes(_h.Path("feeds.1-of-3.bin")), File.ReadAllBytes(_h.Output));
    }

    /// <summary>generate refuses this; import used to write empty shards.</summary>
    [Fact]
    public async Task More_shards_than_users_is_refused_as_generate_refuses_it()
    {
        Assert.Equal("--shards 12 is more than the 11 users in the input (ids 0..10); some shards would be empty",
            await _h.FailAsync(new ImportSettings { Input = Input(), ItemsPerUser = 2, Shards = 12 }));
        Assert.Equal("--shards 30 is more than --users 20; some shards would be empty",
            await _h.FailAsync(new ImportSettings { Input = Input(), ItemsPerUser = 2, Users = 20, Shards = 30, Shard = 3 }));
    }

    /// <summary>
    /// With --shard k only shard k's rows are held. At 65,535 items a matrix chunk holds 256 rows (64 MiB), so users
    /// 0, 1, 256 and 257 span two chunks, while shard 1 of 2 keeps users 1 and 257 as its rows 0 and 128: one chunk.
    /// </summary>
    [Fact]
    public void One_shard_holds_only_its_own_rows_in_memory()
    {
        var settings = new ImportSettings { Input = "recs.csv", ItemsPerUser = FeedFileHeader.MaxItemsPerUser, Shards = 2, Shard = 1 };
        using var builder = new FeedBuilder(settings);
        foreach (var user in new ulong[] { 0, 1, 256, 257 })
        {
            builder.BeginRow(user);
            builder.AddItem((uint)user + 1);
            Assert.Null(builder.EndRow());
        }

        Assert.Equal(258UL, builder.Finish());
        Assert.Equal(256UL * FeedFileHeader.MaxItemsPerUser * sizeof(uint), builder.Matrix.AllocatedBytes);
        var row = new uint[FeedFileHeader.MaxItemsPerUser];
        builder.Matrix.CopyRow(0, row);
        Assert.Equal(2u, row[0]);
        builder.Matrix.CopyRow(128, row);
        Assert.Equal(258u, row[0]);
    }
}
