using RecFeed.Format;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Format;

public sealed class FeedFileTests : TempDirectoryTest
{
    [Theory]
    [MemberData(nameof(TestFeeds.Versions), MemberType = typeof(TestFeeds))]
    public void Round_trip_keeps_every_row_fallback_and_header_field(uint version)
    {
        var path = Dir.File("f.bin");
        uint[][] rows = [[5, 6, 7], [], [4294967295, 1], [9, 8, 7, 6]];
        var written = TestFeeds.WriteLists(path, rows, [100, 200, 300], itemsPerUser: 4, version: version);

        using var slab = FeedSlab.Load(path);
        Assert.Equal(version, slab.Header.FormatVersion);
        Assert.Equal(written.PayloadChecksum, slab.Header.PayloadChecksum);
        Assert.Equal(written.DatasetId, slab.Header.DatasetId);
        Assert.Equal(4UL, slab.UserCount);
        Assert.Equal(4, slab.ItemsPerUser);
        Assert.Equal([100u, 200, 300], slab.Fallback.ToArray());
        // Version 1 rows keep their padding zeros; version 2 rows are their own length.
        var padded = version == FeedFileHeader.Version1;
        Assert.Equal(padded ? [5u, 6, 7, 0] : [5u, 6, 7], slab.Row(0).ToArray());
        Assert.Equal(padded ? [0u, 0, 0, 0] : [], slab.Row(1).ToArray());
        Assert.Equal(padded ? [4294967295u, 1, 0, 0] : [4294967295u, 1], slab.Row(2).ToArray());
        Assert.Equal([9u, 8, 7, 6], slab.Row(3).ToArray());
        Assert.Equal((long)written.FileLength, new FileInfo(path).Length);
    }

    [Theory]
    [InlineData(0xFFFFu, 2u)]
    [InlineData(0x1_0000u, 3u)]
    [InlineData(0xFF_FFFFu, 3u)]
    [InlineData(0x100_0000u, 4u)]
    [InlineData(uint.MaxValue, 4u)]
    public void Version_2_stores_ids_in_the_fewest_bytes_that_hold_the_largest(uint largest, uint itemBytes)
    {
        var path = Dir.File("f.bin");
        uint[][] rows = [[1, largest], [largest - 1], [], [2, 3, 4]];
        var header = TestFeeds.WriteLists(path, rows, [7], itemsPerUser: 5);

        Assert.Equal(itemBytes, header.ItemBytes);
        Assert.Equal(6UL, header.ItemCount);
        Assert.Equal(0UL, header.ItemsOffset % FeedFileHeader.MatrixAlignment);
        Assert.Equal(0UL, header.RowStartsOffset % FeedFileHeader.MatrixAlignment);
        AssertRowsRead(path, header, rows);
    }

    [Fact]
    public void Version_2_files_whose_rows_are_all_full_have_no_row_index()
    {
        var path = Dir.File("f.bin");
        uint[][] rows = [[1, 2, 3], [70_000, 5, 6], [7, 8, 9]];
        var header = TestFeeds.WriteLists(path, rows, [4], itemsPerUser: 3);

        Assert.False(header.HasRowIndex);
        Assert.Equal(header.MatrixOffset, header.ItemsOffset);
        Assert.Equal(FeedFileHeader.AlignUp(header.MatrixOffset + 9 * 3 + 1, 64), header.FileLength);
        AssertRowsRead(path, header, rows);
    }

    [Fact]
    public void Version_2_rows_cross_row_groups_and_checksum_blocks()
    {
        // 150,000 users of 0..40 ids: three row groups of the index, several 4 MiB blocks, rows of every length.
        var path = Dir.File("f.bin");
        var rows = Enumerable.Range(0, 150_000).Select(u => Enumerable.Range(1, u % 41).Select(i => (uint)(u * 41 + i)).ToArray()).ToArray();
        var header = TestFeeds.WriteLists(path, rows, [1], itemsPerUser: 40 + 1);
        Assert.True(header.PayloadLength > 2 * (ulong)PayloadChecksum.BlockSize);

        using var slab = FeedSlab.Load(path);
        foreach (var user in new[] { 0, 1, 40, 65_535, 65_536, 65_537, 131_071, 131_072, 149_999 })
            Assert.Equal(rows[user], slab.Row((ulong)user).ToArray());
    }

    [Fact]
    public void The_same_input_gives_a_byte_identical_version_2_file()
    {
        TestFeeds.WriteRandom(Dir.File("a.bin"), 70_000, itemsPerUser: 30);
        TestFeeds.WriteRandom(Dir.File("b.bin"), 70_000, itemsPerUser: 30);
        Assert.Equal(File.ReadAllBytes(Dir.File("a.bin")), File.ReadAllBytes(Dir.File("b.bin")));
    }

    [Fact]
    public void Matrix_starts_on_a_64_byte_boundary_after_the_fallback_list()
    {
        var header = FeedFileHeader.Create(10, 3, fallbackCount: 5, seed: 0);
        Assert.Equal(192UL, header.MatrixOffset); // 128 + 20 rounded up to 64
        Assert.Equal(192UL + 10 * 3 * 4, header.FileLength);
    }

    [Fact]
    public void Payload_spanning_many_checksum_blocks_round_trips()
    {
        // 30,000 users × 50 items = 6 MB: more than one 4 MiB block; user 20,970 straddles the first block edge.
        var path = Dir.File("big.bin");
        var header = TestFeeds.WriteRandom(path, 30_000, itemsPerUser: 50);
        Assert.True(header.PayloadLength > PayloadChecksum.BlockSize);
        using var slab = FeedSlab.Load(path);
        var reference = new RecFeed.Synthetic.RandomFeedSource(7, 1_000_000, 50);
        var row = new uint[50];
        foreach (var user in new ulong[] { 0, 20_969, 20_970, 20_971, 29_999 })
        {
            reference.WriteRow(user, row);
            Assert.Equal(row, slab.Row(user).ToArray());
        }
    }

    [Fact]
    public void A_flipped_payload_byte_is_reported_as_a_checksum_mismatch()
    {
        var path = Dir.File("f.bin");
        TestFeeds.WriteRandom(path, 100);
        FlipByte(path, offset: FeedFileHeader.Size + 1000);
        var e = Assert.Throws<FeedFileException>(() => FeedSlab.Load(path));
        Assert.Equal("corrupt payload (checksum mismatch)", e.Message);
    }

    [Fact]
    public void A_flipped_header_byte_is_reported()
    {
        var path = Dir.File("f.bin");
        TestFeeds.WriteRandom(path, 100);
        FlipByte(path, offset: 40); // dataset id
        var e = Assert.Throws<FeedFileException>(() => FeedSlab.Load(path));
        Assert.Contains("header checksum", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(5000)]
    public void A_truncated_file_is_rejected_before_hashing(int length)
    {
        var path = Dir.File("f.bin");
        TestFeeds.WriteRandom(path, 100);
        using (var f = new FileStream(path, FileMode.Open))
            f.SetLength(length);
        var e = Assert.Throws<FeedFileException>(() => FeedSlab.Load(path));
        Assert.StartsWith("truncated", e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        var path = Dir.File("f.bin");
        TestFeeds.WriteRandom(path, 10);
        File.AppendAllText(path, "x");
        Assert.StartsWith("unexpected trailing data", Assert.Throws<FeedFileException>(() => FeedSlab.Load(path)).Message);
    }

    [Fact]
    public void A_foreign_file_is_rejected_by_its_magic()
    {
        var path = Dir.File("f.bin");
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)i)]);
        Assert.Equal("not a recfeed feeds file (bad magic)", Assert.Throws<FeedFileException>(() => FeedSlab.Load(path)).Message);
    }

    [Fact]
    public void A_missing_file_is_one_clear_line()
    {
        Assert.Equal("no such file", Assert.Throws<FeedFileException>(() => FeedSlab.Load(Dir.File("absent.bin"))).Message);
    }

    [Fact]
    public void A_cancelled_write_leaves_neither_the_final_file_nor_a_temporary()
    {
        var path = Dir.File("f.bin");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var source = new RecFeed.Synthetic.RandomFeedSource(1, 1000, 10);
        using var layout = FeedLayout.Plan(FeedFileHeader.Create(100, 10, 5, 1), FeedFileHeader.CurrentVersion, source);
        Assert.ThrowsAny<OperationCanceledException>(() => FeedFileWriter.Write(path, layout, source, cancellationToken: cts.Token));
        Assert.Empty(Directory.GetFiles(Dir.Path));
    }

    /// <summary>A source whose rows past the first checksum block fail the way a disk read does (EIO).</summary>
    private sealed class FailingSource : IFeedSource
    {
        private readonly RecFeed.Synthetic.RandomFeedSource _inner = new(1, 1_000_000, 50);

        public uint MaxItemId => _inner.MaxItemId;

        public void WriteFallback(Span<uint> destination) => _inner.WriteFallback(destination);

        public int RowLength(ulong user) => _inner.RowLength(user);

        public void WriteRow(ulong user, Span<uint> destination)
        {
            if (user > 25_000)
                throw new IOException("Input/output error");
            _inner.WriteRow(user, destination);
        }
    }

    [Fact]
    public void An_io_error_inside_the_parallel_block_writes_reaches_the_caller_as_itself()
    {
        var path = Dir.File("f.bin");
        var shape = FeedFileHeader.Create(30_000, 50, 5, 1); // two checksum blocks, written in parallel

        var e = Assert.Throws<IOException>(() => TestFeeds.Write(path, shape, new FailingSource(), FeedFileHeader.Version1));

        Assert.Equal("Input/output error", e.Message);
        Assert.Empty(Directory.GetFiles(Dir.Path));
    }

    [Fact]
    public void Rewriting_replaces_the_old_file_atomically_by_rename()
    {
        var path = Dir.File("f.bin");
        TestFeeds.WriteRandom(path, 10, seed: 1);
        var second = TestFeeds.WriteRandom(path, 20, seed: 2);
        Assert.Equal(second.UserCount, FeedSlab.ReadHeader(path).UserCount);
        Assert.Single(Directory.GetFiles(Dir.Path));
    }

    /// <summary>Every row as the loaded slab and as <c>inspect --user</c>'s straight read of the file give it.</summary>
    private static void AssertRowsRead(string path, FeedFileHeader header, uint[][] rows)
    {
        using var slab = FeedSlab.Load(path);
        for (var user = 0; user < rows.Length; user++)
        {
            Assert.Equal(rows[user], slab.Row((ulong)user).ToArray());
            Assert.Equal(rows[user], FeedSlab.ReadRow(path, header, (ulong)user));
        }
    }

    private static void FlipByte(string path, long offset)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        f.Position = offset;
        var b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)(b ^ 0x5A));
    }
}
