using RecFeed.Format;
using RecFeed.Synthetic;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Slab;

/// <summary>The loader reads checksum blocks in parallel straight into the slab; a payload spanning several blocks.</summary>
public sealed class FeedSlabReadPathTests
{
    private const ulong Users = 30_000;
    private const int ItemsPerUser = 50; // 6 MB of rows: two 4 MB checksum blocks, the second one partial

    [Fact]
    public void EveryBlockArrivesIntact()
    {
        using var dir = new TempDirectory();
        var path = dir.File("feeds.bin");
        TestFeeds.WriteRandom(path, Users, ItemsPerUser, seed: 5);
        var source = new RandomFeedSource(5, 1_000_000, ItemsPerUser);

        using var slab = FeedSlab.Load(path);

        Assert.True(slab.Bytes > (ulong)PayloadChecksum.BlockSize, "the test payload must span more than one block");
        var expected = new uint[ItemsPerUser];
        foreach (var user in new ulong[] { 0, 1, Users / 2, Users - 1 })
        {
            source.WriteRow(user, expected);
            Assert.Equal(expected, slab.Row(user).ToArray());
        }
    }

    [Fact]
    public void AFlippedByteInTheLastBlockIsACorruptPayload()
    {
        using var dir = new TempDirectory();
        var path = dir.File("feeds.bin");
        TestFeeds.WriteRandom(path, Users, ItemsPerUser, seed: 5);
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var at = RandomAccess.GetLength(file) - 100; // inside the last user's row
            var one = new byte[1];
            RandomAccess.Read(file, one, at);
            one[0] ^= 0x40;
            RandomAccess.Write(file, one, at);
        }

        var e = Assert.Throws<FeedFileException>(() => FeedSlab.Load(path).Dispose());
        Assert.Contains("checksum", e.Message);
    }
}
