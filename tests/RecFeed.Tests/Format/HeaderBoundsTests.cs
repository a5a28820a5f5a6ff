using System.Runtime.InteropServices;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Format;

/// <summary>
/// Headers with a recomputed checksum and any field values: each file is either refused with one line or loads and
/// serves exactly what its bytes say. Nothing in between (an index error, a negative length, a wrapped layout).
/// Half the cases are version 2 headers, whose row index in the payload is checked the same way.
/// </summary>
public sealed partial class HeaderBoundsTests : TempDirectoryTest
{
    private const int Cases = 3000;
    private const ulong LargestFileWritten = 64 << 10;

    /// <summary>The crafted file from issue 9 item 4: 2^31 fallback ids and 2^30 × 2 items laid out to wrap back to 128 bytes.</summary>
    public static byte[] CraftedWrappingFile()
    {
        var h = FeedFileHeader.Create(1, 1, 0, 0);
        h.FallbackCount = 1u << 31;
        h.UserCount = 1UL << 30;
        h.ItemsPerUser = 2;
        h.MatrixOffset = unchecked(128 - (1UL << 33));
        h.FileLength = 128;
        var bytes = new byte[FeedFileHeader.Size];
        h.WriteTo(bytes);
        return bytes;
    }

    [Fact]
    public void The_crafted_wrapping_header_is_refused_by_its_fallback_bound()
    {
        var path = Dir.File("crafted.bin");
        File.WriteAllBytes(path, CraftedWrappingFile());
        var e = Assert.Throws<FeedFileException>(() => FeedSlab.Load(path));
        Assert.Equal("corrupt header (fallback count 2147483648, must be 0..16777216)", e.Message);
    }

    [Fact]
    public void Random_headers_with_a_valid_checksum_are_refused_in_one_line_or_load_and_serve()
    {
        var random = new Random(9);
        var path = Dir.File("f.bin");
        int refused = 0, served = 0, servedPacked = 0;
        for (var i = 0; i < Cases; i++)
        {
            var header = (i % 8) switch
            {
                0 => AnyFields(random),
                1 => WrappingLayout(random),
                2 => ConsistentLayout(random, EdgeOrSmall(random), EdgeOrSmall(random)),
                3 => Valid(random),
                4 => Packed(AnyFields(random), random),
                5 => Packed(ConsistentLayout(random, EdgeOrSmall(random), EdgeOrSmall(random)), random),
                6 => PackedLayout(ConsistentLayout(random, EdgeOrSmall(random), EdgeOrSmall(random)), random),
                _ => ValidPacked(random),
            };
            var file = FileFor(header, random);
            File.WriteAllBytes(path, file);
            try
            {
                using var slab = FeedSlab.Load(path);
                AssertServesItsBytes(slab, file);
                served++;
                if (slab.Header.FormatVersion == FeedFileHeader.Version2)
                    servedPacked++;
            }
            catch (FeedFileException e)
            {
                Assert.False(e.Message.Contains('\n') || e.Message.Contains('\r'), $"case {i}: message is not one line: {e.Message}");
                Assert.NotEqual("", e.Message);
                refused++;
            }
        }
        // Both outcomes must actually be exercised, or the property says nothing.
        Assert.True(served >= Cases / 8, $"only {served} files loaded");
        Assert.True(refused >= Cases / 2, $"only {refused} files refused");
        Assert.True(servedPacked >= Cases / 16, $"only {servedPacked} version 2 files loaded");
    }

    /// <summary>Every user of an accepted file gets its stored items in order, then fallback ids from the file.</summary>
    private static void AssertServesItsBytes(FeedSlab slab, byte[] file)
    {
        var h = slab.Header;
        Assert.Equal((ulong)file.Length, h.FileLength);
        var fallback = MemoryMarshal.Cast<byte, uint>(file.AsSpan(FeedFileHeader.Size, (int)h.FallbackCount * sizeof(uint))).ToArray();
        Assert.Equal(fallback, slab.Fallback.ToArray());
        using var service = new FeedService(slab, new FeedCounters());
        var response = new uint[h.ItemsPerUser];
        for (var local = 0UL; local < h.UserCount; local++)
        {
            var row = StoredRow(h, file, local);
            var end = Array.IndexOf(row, 0u);
            var personal = end < 0 ? row : row[..end];
            var userId = checked((uint)(local * h.ShardCount + h.ShardIndex));
            var outcome = service.Serve(userId, response, out var count);
            Assert.True(count >= personal.Length);
            Assert.Equal(personal, response[..personal.Length]);
            Assert.True(response[personal.Length..count].All(fallback.Contains));
            Assert.Equal(count == 0 ? FeedOutcome.Unavailable : FeedOutcome.Served, outcome);
        }
    }

    /// <summary>A row decoded straight from the file's bytes, independently of the reader under test.</summary>
    private static uint[] StoredRow(FeedFileHeader h, byte[] file, ulong user)
    {
        if (h.FormatVersion == FeedFileHeader.Version1)
        {
            var rowBytes = (int)h.ItemsPerUser * sizeof(uint);
            return MemoryMarshal.Cast<byte, uint>(file.AsSpan((int)(h.MatrixOffset + user * (ulong)rowBytes), rowBytes)).ToArray();
        }
        ulong Start(ulong u) => !h.HasRowIndex ? u * h.ItemsPerUser
            : BitConverter.ToUInt64(file, (int)(h.MatrixOffset + (u >> 16) * 8)) + BitConverter.ToUInt32(file, (int)(h.RowStartsOffset + u * 4));
        var start = Start(user);
        var row = new uint[Start(user + 1) - start];
        for (var i = 0; i < row.Length; i++)
        {
            var at = (int)(h.ItemsOffset + (start + (ulong)i) * h.ItemBytes);
            for (var b = 0; b < h.ItemBytes; b++)
                row[i] |= (uint)file[at + b] << (8 * b);
        }
        return row;
    }
}
