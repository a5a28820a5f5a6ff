using RecFeed.Synthetic;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Format;

public sealed class GeneratorTests : TempDirectoryTest
{
    [Fact]
    public void Same_arguments_and_seed_give_a_byte_identical_file_and_another_seed_does_not()
    {
        // Big enough for several parallel blocks, so scheduling order cannot leak into the bytes.
        TestFeeds.WriteRandom(Dir.File("a.bin"), 25_000, itemsPerUser: 60, seed: 11);
        TestFeeds.WriteRandom(Dir.File("b.bin"), 25_000, itemsPerUser: 60, seed: 11);
        TestFeeds.WriteRandom(Dir.File("c.bin"), 25_000, itemsPerUser: 60, seed: 12);
        var a = File.ReadAllBytes(Dir.File("a.bin"));
        Assert.True(a.AsSpan().SequenceEqual(File.ReadAllBytes(Dir.File("b.bin"))));
        Assert.False(a.AsSpan().SequenceEqual(File.ReadAllBytes(Dir.File("c.bin"))));
    }

    [Fact]
    public void Every_list_is_distinct_non_zero_and_within_the_id_range()
    {
        var path = Dir.File("f.bin");
        TestFeeds.WriteRandom(path, 2_000, itemsPerUser: 200, fallback: 250, maxItemId: 250);
        using var slab = FeedSlab.Load(path);
        for (ulong u = 0; u < slab.UserCount; u++)
        {
            var row = slab.Row(u).ToArray();
            Assert.Equal(row.Length, row.Distinct().Count());
            Assert.All(row, id => Assert.InRange(id, 1u, 250u));
        }
        var fallback = slab.Fallback.ToArray();
        Assert.Equal(250, fallback.Distinct().Count());
        Assert.All(fallback, id => Assert.InRange(id, 1u, 250u));
    }

    [Fact]
    public void Ids_cover_the_whole_range_roughly_uniformly()
    {
        var source = new RandomFeedSource(3, maxItemId: 10, itemsPerUser: 1);
        var counts = new int[11];
        var row = new uint[1];
        for (ulong u = 0; u < 100_000; u++)
        {
            source.WriteRow(u, row);
            counts[row[0]]++;
        }
        Assert.Equal(0, counts[0]);
        Assert.All(counts[1..], c => Assert.InRange(c, 9_000, 11_000));
    }
}
