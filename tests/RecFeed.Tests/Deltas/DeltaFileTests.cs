using RecFeed.Format;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Deltas;

public sealed class DeltaFileTests : TempDirectoryTest
{
    private string Base(int users = 30, int items = 8)
    {
        var path = Dir.File("feeds.bin");
        TwoDatasets.Write(path, dataset: 1, users, items);
        return path;
    }

    private string Delta(string @base) => TestDeltas.Write(@base, "0001.delta", new Dictionary<ulong, uint[]>
    {
        [3] = TestDeltas.NewList(3, 8),
        [17] = TestDeltas.NewList(17, 2),
        [29] = [],
    });

    [Fact]
    public void A_delta_reads_back_as_written_and_is_bound_to_its_base()
    {
        var @base = Base();
        using var delta = DeltaSlab.Load(Delta(@base));
        var b = FeedSlab.ReadHeader(@base);
        Assert.Equal(b.DatasetId, delta.Header.BaseDatasetId);
        Assert.Equal(b.UserCount, delta.Header.BaseUserCount);
        Assert.Equal(b.ItemsPerUser, delta.Header.ItemsPerUser);
        Assert.Equal(3UL, delta.UserCount);
        Assert.Equal(10UL, delta.Header.ItemCount);
        Assert.Equal(TestDeltas.NewList(17, 2), delta.Row((ulong)delta.IndexOf(17)).ToArray());
        Assert.Empty(delta.Row((ulong)delta.IndexOf(29)).ToArray());
        Assert.Equal(-1, delta.IndexOf(4));
        Assert.Equal(delta.Header.ContentId(), delta.Header.DeltaId);
        Assert.Equal((ulong)new FileInfo(delta.Path).Length - DeltaFileHeader.Size, delta.Bytes);
    }

    [Fact]
    public void Every_flipped_byte_and_every_cut_is_refused_whole()
    {
        var path = Delta(Base());
        var good = File.ReadAllBytes(path);
        var damaged = Dir.File("damaged.delta");
        for (var at = 0; at < good.Length; at++)
        {
            var bytes = (byte[])good.Clone();
            bytes[at] ^= 0x40;
            File.WriteAllBytes(damaged, bytes);
            Assert.Throws<FeedFileException>(() => DeltaSlab.Load(damaged).Dispose());
        }
        for (var length = 0; length < good.Length; length++)
        {
            File.WriteAllBytes(damaged, good[..length]);
            var e = Assert.Throws<FeedFileException>(() => DeltaSlab.Load(damaged).Dispose());
            Assert.Contains("truncated", e.Message);
        }
        File.WriteAllBytes(damaged, [.. good, 0]);
        Assert.Contains("trailing", Assert.Throws<FeedFileException>(() => DeltaSlab.Load(damaged).Dispose()).Message);
    }

    [Fact]
    public void A_feeds_file_is_not_a_delta_and_the_writer_refuses_rows_outside_the_base()
    {
        var @base = Base();
        Assert.Contains("bad magic", Assert.Throws<FeedFileException>(() => DeltaSlab.Load(@base).Dispose()).Message);
        var header = FeedSlab.ReadHeader(@base);
        Assert.Throws<ArgumentException>(() => DeltaFileWriter.Write(Dir.File("x.delta"), header, [(30UL, [1u])]));
        Assert.Throws<ArgumentException>(() => DeltaFileWriter.Write(Dir.File("x.delta"), header, [(5UL, [1u]), (5UL, [2u])]));
        Assert.Throws<ArgumentException>(() => DeltaFileWriter.Write(Dir.File("x.delta"), header, [(5UL, [1u, 0u])]));
        Assert.Throws<ArgumentException>(() => DeltaFileWriter.Write(Dir.File("x.delta"), header, [(5UL, new uint[9])]));
        Assert.False(File.Exists(Dir.File("x.delta")));
    }
}
