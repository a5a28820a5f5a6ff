using System.Runtime.InteropServices;
using RecFeed.Format;

namespace RecFeed.Tests.Format;

/// <summary>The headers and files the bounds tests feed the loader: any fields, wrapping layouts, sound ones.</summary>
public sealed partial class HeaderBoundsTests
{
    /// <summary>Values near every width and sign boundary the fields and the layout arithmetic have.</summary>
    private static readonly ulong[] Edges =
    [
        0, 1, 2, 3, 63, 64, 65, 127, 128, 129, 255, 256, 65_535, 65_536, 65_537,
        (1UL << 24) - 1, 1UL << 24, (1UL << 24) + 1, (1UL << 30) - 1, 1UL << 30, (1UL << 31) - 1, 1UL << 31, (1UL << 31) + 1,
        (1UL << 32) - 1, 1UL << 32, (1UL << 32) + 1, (1UL << 33) - 1, 1UL << 33, (1UL << 62) - 1, 1UL << 62,
        (1UL << 63) - 1, 1UL << 63, (1UL << 63) + 1, ulong.MaxValue - 127, ulong.MaxValue - 63, ulong.MaxValue - 1, ulong.MaxValue,
    ];

    private static ulong Edge(Random random) => Edges[random.Next(Edges.Length)];

    private static ulong EdgeOrSmall(Random random) => random.Next(3) switch
    {
        0 => Edge(random),
        1 => (ulong)random.Next(0, 300),
        _ => (ulong)random.NextInt64() * 2 + (ulong)random.Next(2),
    };

    /// <summary>Every field from edges, small numbers or anything; only magic, version and checksum are right.</summary>
    private static FeedFileHeader AnyFields(Random random)
    {
        var h = FeedFileHeader.Create(1, 1, 0, 0);
        h.HeaderSize = random.Next(4) == 0 ? (uint)EdgeOrSmall(random) : FeedFileHeader.Size;
        h.UserCount = EdgeOrSmall(random);
        h.ItemsPerUser = (uint)EdgeOrSmall(random);
        h.FallbackCount = (uint)EdgeOrSmall(random);
        h.ShardIndex = random.Next(2) == 0 ? 0 : (uint)EdgeOrSmall(random);
        h.ShardCount = random.Next(2) == 0 ? 1 : (uint)EdgeOrSmall(random);
        h.MatrixOffset = EdgeOrSmall(random);
        h.FileLength = EdgeOrSmall(random);
        return h;
    }

    /// <summary>
    /// Layout fields that wrap around 2^64 onto a small real length, as the crafted file does: the matrix offset from
    /// the fallback size (read as unsigned or, as an int cast does, sign-extended), then the user count that makes
    /// offset + users × row bytes overflow to exactly the file's length.
    /// </summary>
    private static FeedFileHeader WrappingLayout(Random random)
    {
        var h = AnyFields(random);
        h.HeaderSize = FeedFileHeader.Size;
        if (random.Next(2) == 0)
            (h.ShardIndex, h.ShardCount) = (0, 1);
        h.ItemsPerUser = 1u << random.Next(0, 11);
        h.FallbackCount = random.Next(2) == 0 ? (uint)Edge(random) : (1u << 31) + (uint)random.Next();
        unchecked
        {
            var fallbackBytes = (random.Next(2) == 0 ? h.FallbackCount : (ulong)(long)(int)h.FallbackCount) * sizeof(uint);
            h.MatrixOffset = FeedFileHeader.AlignUp(FeedFileHeader.Size + fallbackBytes, FeedFileHeader.MatrixAlignment);
            var rowBytes = (ulong)h.ItemsPerUser * sizeof(uint);
            h.FileLength = (ulong)random.Next(FeedFileHeader.Size, 4096);
            h.FileLength += (rowBytes - (h.FileLength - h.MatrixOffset) % rowBytes) % rowBytes;
            h.UserCount = (h.FileLength - h.MatrixOffset) / rowBytes;
        }
        return h;
    }

    /// <summary>The layout the old unchecked formula gives for edge sizes: right whenever nothing wraps.</summary>
    private static FeedFileHeader ConsistentLayout(Random random, ulong users, ulong itemsPerUser)
    {
        var h = AnyFields(random);
        h.HeaderSize = FeedFileHeader.Size;
        h.UserCount = users;
        h.ItemsPerUser = (uint)itemsPerUser;
        h.ShardCount = 1;
        h.ShardIndex = 0;
        unchecked
        {
            h.MatrixOffset = FeedFileHeader.AlignUp(FeedFileHeader.Size + (ulong)h.FallbackCount * sizeof(uint), FeedFileHeader.MatrixAlignment);
            h.FileLength = h.MatrixOffset + h.UserCount * h.ItemsPerUser * sizeof(uint);
        }
        return h;
    }

    /// <summary>A small sound header for a random shape.</summary>
    private static FeedFileHeader Valid(Random random)
    {
        var shardCount = (uint)random.Next(1, 4);
        return FeedFileHeader.Create((ulong)random.Next(0, 40), random.Next(1, 12), random.Next(0, 20), (ulong)random.NextInt64(),
            (uint)random.Next((int)shardCount), shardCount);
    }

    /// <summary>Version 2 with any values in its own fields.</summary>
    private static FeedFileHeader Packed(FeedFileHeader h, Random random)
    {
        h.FormatVersion = FeedFileHeader.Version2;
        h.ItemBytes = random.Next(2) == 0 ? (uint)random.Next(2, 5) : (uint)EdgeOrSmall(random);
        h.ItemCount = EdgeOrSmall(random);
        h.RowStartsOffset = EdgeOrSmall(random);
        h.ItemsOffset = EdgeOrSmall(random);
        return h;
    }

    /// <summary>Version 2 fields laid out by the formula without overflow checks, for any id count and width.</summary>
    private static FeedFileHeader PackedLayout(FeedFileHeader h, Random random)
    {
        h = Packed(h, random);
        if (random.Next(4) == 0)
            h.ItemCount = unchecked(h.UserCount * h.ItemsPerUser); // every row full: no row index
        unchecked
        {
            var full = h.ItemCount == h.UserCount * h.ItemsPerUser;
            const ulong alignment = FeedFileHeader.MatrixAlignment;
            h.RowStartsOffset = full ? h.MatrixOffset : FeedFileHeader.AlignUp(h.MatrixOffset + ((h.UserCount >> 16) + 1) * sizeof(ulong), alignment);
            h.ItemsOffset = full ? h.MatrixOffset : FeedFileHeader.AlignUp(h.RowStartsOffset + (h.UserCount + 1) * sizeof(uint), alignment);
            h.FileLength = FeedFileHeader.AlignUp(h.ItemsOffset + h.ItemCount * h.ItemBytes + (sizeof(uint) - h.ItemBytes), FeedFileHeader.MatrixAlignment);
        }
        return h;
    }

    /// <summary>
    /// A small sound version 2 header, a quarter with every row full (no index); <see cref="FileFor"/> usually gives the
    /// others a sound row index.
    /// </summary>
    private static FeedFileHeader ValidPacked(Random random)
    {
        var shape = Valid(random);
        var full = shape.UserCount * shape.ItemsPerUser;
        return shape.WithPackedRows(random.Next(4) == 0 ? full : (ulong)random.NextInt64(0, (long)full + 1), (uint)random.Next(2, 5));
    }

    /// <summary>
    /// Row starts that spread the header's id count over its users, each row 0..ItemsPerUser long, in the file's
    /// two tables; written over the random payload when the header's layout is sound and the tables fit.
    /// </summary>
    private static void WriteSoundIndex(FeedFileHeader h, Span<byte> file, Random random)
    {
        if (h.UserCount > LargestFileWritten || h.ItemsPerUser > FeedFileHeader.MaxItemsPerUser || h.ItemCount >= h.UserCount * h.ItemsPerUser
            || h.MatrixOffset != FeedFileHeader.AlignUp(FeedFileHeader.Size + (ulong)h.FallbackCount * sizeof(uint), FeedFileHeader.MatrixAlignment)
            || h.RowStartsOffset != FeedFileHeader.AlignUp(h.MatrixOffset + ((h.UserCount >> 16) + 1) * sizeof(ulong), FeedFileHeader.MatrixAlignment)
            || h.ItemsOffset != FeedFileHeader.AlignUp(h.RowStartsOffset + (h.UserCount + 1) * sizeof(uint), FeedFileHeader.MatrixAlignment)
            || h.ItemsOffset > (ulong)file.Length)
            return;
        var groups = MemoryMarshal.Cast<byte, ulong>(file[(int)h.MatrixOffset..(int)h.RowStartsOffset]);
        var starts = MemoryMarshal.Cast<byte, uint>(file[(int)h.RowStartsOffset..(int)h.ItemsOffset]);
        var start = 0UL;
        for (var user = 0UL; user <= h.UserCount; user++)
        {
            if ((user & 0xFFFF) == 0)
                groups[(int)(user >> 16)] = start;
            starts[(int)user] = (uint)(start - groups[(int)(user >> 16)]);
            if (user == h.UserCount)
                break;
            var left = h.ItemCount - start;
            var after = (h.UserCount - user - 1) * h.ItemsPerUser;
            start += (ulong)random.NextInt64((long)(left > after ? left - after : 0), (long)Math.Min(left, h.ItemsPerUser) + 1);
        }
    }

    /// <summary>
    /// The claimed length in bytes when that is small, else a short file; a payload of item ids and zeros whose
    /// checksum goes into the header before the header checksum is recomputed, so most files fail on their fields
    /// alone; now and then a file cut short or a payload byte flipped after hashing.
    /// </summary>
    private static byte[] FileFor(FeedFileHeader header, Random random)
    {
        var length = header.FileLength is >= FeedFileHeader.Size and <= LargestFileWritten
            ? (int)header.FileLength
            : random.Next(FeedFileHeader.Size, 4096);
        if (random.Next(20) == 0)
            length = random.Next(0, length + 2);
        var file = new byte[Math.Max(length, FeedFileHeader.Size)];
        var payload = file.AsSpan(FeedFileHeader.Size);
        var items = MemoryMarshal.Cast<byte, uint>(payload[..(payload.Length / sizeof(uint) * sizeof(uint))]);
        for (var i = 0; i < items.Length; i++)
            items[i] = random.Next(3) == 0 ? 0 : (uint)random.Next(1, int.MaxValue);
        if (header.FormatVersion == FeedFileHeader.Version2 && header.FileLength <= LargestFileWritten && random.Next(4) != 0)
            WriteSoundIndex(header, file, random);
        header.PayloadChecksum = PayloadChecksumOf(payload);
        header.WriteTo(file);
        if (random.Next(10) == 0 && payload.Length > 0)
            payload[random.Next(payload.Length)] ^= 1;
        return file[..length];
    }

    private static ulong PayloadChecksumOf(ReadOnlySpan<byte> payload)
    {
        var checksum = new PayloadChecksum((ulong)payload.Length);
        for (var block = 0; block < PayloadChecksum.BlockCount((ulong)payload.Length); block++)
        {
            var start = block * PayloadChecksum.BlockSize;
            checksum.AddBlock(block, payload.Slice(start, Math.Min(PayloadChecksum.BlockSize, payload.Length - start)));
        }
        return checksum.Value;
    }
}
