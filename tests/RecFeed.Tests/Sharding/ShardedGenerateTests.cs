using RecFeed.Cli.Commands;
using RecFeed.Sharding;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sharding;

public sealed class ShardedGenerateTests : IDisposable
{
    private const ulong Users = 1001;
    private const int Items = 16;
    private const int Fallback = 12;
    private const ulong Seed = 9;
    private const uint MaxItemId = 50_000;

    private readonly TempDirectory _dir = new();
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose() => _dir.Dispose();

    private ExitCode Generate(string output, uint shards, uint? shard) =>
        GenerateCommand.Run(_stdout, _stderr, Users, Items, MaxItemId, Fallback, Seed, output, false, shards, shard,
            RecFeed.Format.FeedFileHeader.CurrentVersion, CancellationToken.None);

    [Fact]
    public void Every_global_users_row_in_its_shard_equals_the_unsharded_files_row()
    {
        Assert.Equal(ExitCode.Ok, Generate(_dir.File("whole.bin"), 1, null));
        Assert.Equal(ExitCode.Ok, Generate(_dir.File("feeds.bin"), 3, null));

        using var whole = FeedSlab.Load(_dir.File("whole.bin"));
        var shards = Enumerable.Range(0, 3).Select(k => FeedSlab.Load(_dir.File($"feeds.{k}-of-3.bin"))).ToArray();
        try
        {
            Assert.Equal([334UL, 334UL, 333UL], shards.Select(s => s.UserCount));
            for (var k = 0u; k < 3; k++)
            {
                Assert.Equal((k, 3u), (shards[k].Header.ShardIndex, shards[k].Header.ShardCount));
                Assert.Equal(whole.Fallback.ToArray(), shards[k].Fallback.ToArray());
            }
            for (var user = 0UL; user < Users; user++)
                Assert.Equal(whole.Row(user).ToArray(), shards[user % 3].Row(user / 3).ToArray());
            Assert.Equal(3, _stdout.ToString().Split('\n').Count(l => l.StartsWith("wrote ", StringComparison.Ordinal) && l.Contains(" shard ")));
        }
        finally
        {
            foreach (var shard in shards)
                shard.Dispose();
        }
    }

    [Fact]
    public void One_shard_written_alone_is_byte_identical_to_the_same_shard_written_with_all()
    {
        Assert.Equal(ExitCode.Ok, Generate(_dir.File("all"), 2, null));
        Assert.Equal(ExitCode.Ok, Generate(_dir.File("alone.bin"), 2, 1));

        Assert.Equal(File.ReadAllBytes(_dir.File("all.1-of-2.bin")), File.ReadAllBytes(_dir.File("alone.bin")));
        Assert.False(File.Exists(_dir.File("alone.1-of-2.bin")));
    }

    [Theory]
    [InlineData(2u, 2u, "--shard 2 is out of range for --shards 2; shards are numbered 0..1")]
    [InlineData(1u, 1u, "--shard 1 is out of range for --shards 1; shards are numbered 0..0")]
    [InlineData(1002u, null, "--shards 1002 is more than --users 1001; some shards would be empty")]
    public void Impossible_shard_arguments_are_refused_with_one_line(uint shards, uint? shard, string reason)
    {
        Assert.Equal(ExitCode.BadInput, Generate(_dir.File("feeds.bin"), shards, shard));

        Assert.Equal($"recfeed generate: {reason}\n", _stderr.ToString().ReplaceLineEndings("\n"));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Theory]
    [InlineData(10UL, 0u, 4u, 3UL)]
    [InlineData(10UL, 1u, 4u, 3UL)]
    [InlineData(10UL, 2u, 4u, 2UL)]
    [InlineData(10UL, 3u, 4u, 2UL)]
    [InlineData(3UL, 3u, 4u, 0UL)]
    [InlineData(7UL, 0u, 1u, 7UL)]
    public void A_shard_holds_the_users_whose_id_mod_count_is_its_index(ulong totalUsers, uint index, uint count, ulong expected)
    {
        var shard = new ShardSpec(index, count);

        Assert.Equal(expected, shard.UserCount(totalUsers));
        var owned = Enumerable.Range(0, (int)totalUsers).Where(u => shard.Owns((ulong)u)).ToArray();
        Assert.Equal((int)expected, owned.Length);
        Assert.Equal(owned.Select(u => (ulong)u), Enumerable.Range(0, owned.Length).Select(r => shard.GlobalUser((ulong)r)));
        Assert.All(owned, u => Assert.Equal((ulong)u, shard.GlobalUser(shard.LocalRow((ulong)u))));
    }

    [Theory]
    [InlineData("data/feeds.bin", "data/feeds.1-of-3.bin")]
    [InlineData("data/feeds", "data/feeds.1-of-3.bin")]
    [InlineData("feeds.dat", "feeds.dat.1-of-3.bin")]
    public void Shard_files_are_named_prefix_k_of_n(string prefix, string expected) =>
        Assert.Equal(expected, new ShardSpec(1, 3).FilePath(prefix));
}
