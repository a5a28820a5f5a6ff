using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RecFeed.Sharding;

namespace RecFeed.Format;

/// <summary>
/// The fixed 128-byte header at the start of a feeds file. All fields little-endian. Version 1 stores fixed rows of
/// uint32 ids; version 2 stores variable-length rows behind a <see cref="RowIndex"/>, ids packed to
/// <see cref="ItemBytes"/> bytes (docs/feeds-format.md).
/// <code>
/// offset size field
///      0    8 Magic            "RECFEED\0"
///      8    4 FormatVersion    1 or 2
///     12    4 HeaderSize       128
///     16    8 UserCount        rows in the matrix (users of this shard), 0..2^32
///     24    4 ItemsPerUser     1..65535 (read positions are ushort); in version 2 the longest a row may be
///     28    4 FallbackCount    ids in the fallback list, 0..2^24
///     32    8 Seed             generator seed, 0 for imported data
///     40    8 DatasetId        identity that snapshots of the read positions and reloads bind to
///     48    8 PayloadChecksum  see <see cref="PayloadChecksum"/>; covers every byte after the header
///     56    4 ShardIndex       k of "userId mod n == k", 0..n-1
///     60    4 ShardCount       n, 1 for a single-machine file, 1..2^16
///     64    8 MatrixOffset     absolute offset of the user × items matrix (v2: of the row index), a multiple of 64
///     72    8 FileLength       total file length, so truncation is caught before hashing
/// version 1:
///     80   40 reserved         zero
/// version 2:
///     80    4 ItemBytes        2, 3 or 4: the fewest whole bytes that hold the largest id
///     84    4 reserved         zero
///     88    8 ItemCount        ids in the packed item array, at most UserCount × ItemsPerUser
///     96    8 RowStartsOffset  absolute offset of the row starts, a multiple of 64
///    104    8 ItemsOffset      absolute offset of the packed item array, a multiple of 64
///    112    8 reserved         zero
///    120    8 HeaderChecksum   XxHash3-64 of bytes 0..119
/// </code>
/// Every field is bounded, so the layout arithmetic cannot wrap: a header whose checksum was recomputed over
/// crafted sizes is rejected by the bounds, not trusted because its wrapped layout happens to match the length.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct FeedFileHeader
{
    public const int Size = 128;
    public const uint Version1 = 1;
    public const uint Version2 = 2;
    /// <summary>What writers write unless asked for version 1.</summary>
    public const uint CurrentVersion = Version2;
    public const int MaxItemsPerUser = ushort.MaxValue;
    public const ulong MaxUserCount = 1UL << 32;
    /// <summary>Fallback lists are short; the bound keeps a crafted count from sizing the layout.</summary>
    public const int MaxFallbackCount = 1 << 24;
    public const uint MaxShardCount = 1 << 16;
    public const int MatrixAlignment = 64;

    private const int ReservedOffset = 80;
    private const int ChecksumOffset = 120;

    /// <summary>"RECFEED\0" read as a little-endian ulong.</summary>
    public const ulong MagicValue = 0x0044454546434552;

    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] public uint FormatVersion;
    [FieldOffset(12)] public uint HeaderSize;
    [FieldOffset(16)] public ulong UserCount;
    [FieldOffset(24)] public uint ItemsPerUser;
    [FieldOffset(28)] public uint FallbackCount;
    [FieldOffset(32)] public ulong Seed;
    [FieldOffset(40)] public ulong DatasetId;
    [FieldOffset(48)] public ulong PayloadChecksum;
    [FieldOffset(56)] public uint ShardIndex;
    [FieldOffset(60)] public uint ShardCount;
    [FieldOffset(64)] public ulong MatrixOffset;
    [FieldOffset(72)] public ulong FileLength;
    [FieldOffset(80)] public uint ItemBytes;
    [FieldOffset(88)] public ulong ItemCount;
    [FieldOffset(96)] public ulong RowStartsOffset;
    [FieldOffset(104)] public ulong ItemsOffset;
    [FieldOffset(120)] public ulong HeaderChecksum;

    /// <summary>A header for the given shape with the layout fields (matrix offset, file length) filled in.</summary>
    public static FeedFileHeader Create(ulong userCount, int itemsPerUser, int fallbackCount, ulong seed, uint shardIndex = 0, uint shardCount = 1)
    {
        var (matrixOffset, fileLength) = Layout(userCount, checked((uint)itemsPerUser), checked((uint)fallbackCount));
        return new FeedFileHeader
        {
            Magic = MagicValue,
            FormatVersion = Version1,
            HeaderSize = Size,
            UserCount = userCount,
            ItemsPerUser = (uint)itemsPerUser,
            FallbackCount = (uint)fallbackCount,
            Seed = seed,
            ShardIndex = shardIndex,
            ShardCount = shardCount,
            MatrixOffset = matrixOffset,
            FileLength = fileLength,
        };
    }

    /// <summary>
    /// This shape as version 2: <paramref name="itemCount"/> ids in rows of any length up to <see cref="ItemsPerUser"/>,
    /// each stored in <see cref="ItemBytesFor"/> the largest id. The row index and the item array start on 64-byte
    /// lines; the file ends padded to one, with at least 4 − itemBytes bytes after the last id so that a 4-byte
    /// load of it stays inside the payload. When every row is full (<paramref name="itemCount"/> = users × items per
    /// user, as <c>generate</c> writes) the index would say nothing, so there is none: row u starts at id u × ItemsPerUser.
    /// </summary>
    public readonly FeedFileHeader WithPackedRows(ulong itemCount, uint itemBytes)
    {
        var packed = this;
        packed.FormatVersion = Version2;
        packed.ItemCount = itemCount;
        packed.ItemBytes = itemBytes;
        (packed.RowStartsOffset, packed.ItemsOffset, packed.FileLength) = PackedLayout(MatrixOffset, UserCount, ItemsPerUser, itemCount, itemBytes);
        return packed;
    }

    private static (ulong RowStarts, ulong Items, ulong FileLength) PackedLayout(
        ulong matrixOffset, ulong userCount, uint itemsPerUser, ulong itemCount, uint itemBytes)
    {
        checked
        {
            var full = itemCount == userCount * itemsPerUser;
            var rowStarts = full ? matrixOffset : AlignUp(matrixOffset + RowIndex.GroupCount(userCount) * sizeof(ulong), MatrixAlignment);
            var items = full ? matrixOffset : AlignUp(rowStarts + (userCount + 1) * sizeof(uint), MatrixAlignment);
            return (rowStarts, items, AlignUp(items + itemCount * itemBytes + (sizeof(uint) - itemBytes), MatrixAlignment));
        }
    }

    /// <summary>The fewest whole bytes (2, 3 or 4) that hold <paramref name="maxItemId"/>.</summary>
    public static uint ItemBytesFor(uint maxItemId) => maxItemId <= 0xFFFF ? 2u : maxItemId <= 0xFF_FFFF ? 3u : 4u;

    public readonly bool PackedRows => FormatVersion == Version2;

    /// <summary>Version 2 with rows of their own length; false when every row is full and rows need no index.</summary>
    public readonly bool HasRowIndex => PackedRows && ItemCount != UserCount * ItemsPerUser;

    /// <summary>File offset of the first row's first id, in either version.</summary>
    public readonly ulong FirstItemOffset => PackedRows ? ItemsOffset : MatrixOffset;

    /// <summary>Bytes per stored id: 4 in version 1.</summary>
    public readonly int StoredItemBytes => PackedRows ? (int)ItemBytes : sizeof(uint);

    /// <summary>
    /// Where the matrix starts and where the file ends. Checked: within the field bounds the largest file is about
    /// 2^50 bytes, so an overflow means a bound was skipped and must fail rather than wrap to a plausible length.
    /// </summary>
    private static (ulong MatrixOffset, ulong FileLength) Layout(ulong userCount, uint itemsPerUser, uint fallbackCount)
    {
        checked
        {
            var matrixOffset = AlignUp(Size + (ulong)fallbackCount * sizeof(uint), MatrixAlignment);
            return (matrixOffset, matrixOffset + userCount * itemsPerUser * sizeof(uint));
        }
    }

    public readonly ulong PayloadLength => FileLength - Size;
    /// <summary>For progress in users: the payload's bytes over its users, at least 1.</summary>
    public readonly long PayloadBytesPerUser => (long)Math.Max(1, PayloadLength / Math.Max(1, UserCount));

    /// <summary>The shard this file holds; valid once the header has been checked.</summary>
    public readonly ShardSpec Shard => new(ShardIndex, ShardCount);

    public readonly void WriteTo(Span<byte> destination)
    {
        EnsureLittleEndian();
        var copy = this;
        copy.HeaderChecksum = 0;
        MemoryMarshal.Write(destination, in copy);
        copy.HeaderChecksum = XxHash3.HashToUInt64(destination[..ChecksumOffset]);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[ChecksumOffset..], copy.HeaderChecksum);
    }

    /// <summary>Reads and checks a header against the real file length; throws <see cref="FeedFileException"/> with a one-line reason.</summary>
    public static FeedFileHeader Read(ReadOnlySpan<byte> source, long actualFileLength)
    {
        EnsureLittleEndian();
        if (source.Length < Size)
            throw new FeedFileException($"truncated: {actualFileLength} bytes, shorter than the {Size}-byte header");
        var h = MemoryMarshal.Read<FeedFileHeader>(source);
        if (h.Magic != MagicValue)
            throw new FeedFileException("not a recfeed feeds file (bad magic)");
        if (h.FormatVersion is not (Version1 or Version2))
            throw new FeedFileException($"unsupported format version {h.FormatVersion} (this build reads versions {Version1} and {Version2})");
        if (h.HeaderChecksum != XxHash3.HashToUInt64(source[..ChecksumOffset]))
            throw new FeedFileException("corrupt header (header checksum mismatch)");
        h.Validate(source, actualFileLength);
        return h;
    }

    /// <summary>Each field against its bound first, then the layout derived from them against the stored one and the real length.</summary>
    private readonly void Validate(ReadOnlySpan<byte> source, long actualFileLength)
    {
        CheckField("header size", HeaderSize, Size, Size);
        CheckField("items per user", ItemsPerUser, 1, MaxItemsPerUser);
        CheckField("user count", UserCount, 0, MaxUserCount);
        CheckField("fallback count", FallbackCount, 0, MaxFallbackCount);
        CheckField("shard count", ShardCount, 1, MaxShardCount);
        CheckField("shard index", ShardIndex, 0, ShardCount - 1);
        if (PackedRows)
        {
            CheckField("item bytes", ItemBytes, 2, sizeof(uint));
            CheckField("item count", ItemCount, 0, UserCount * ItemsPerUser);
        }
        if (!ReservedBytesAreZero(source))
            throw new FeedFileException("corrupt header (reserved bytes are not zero)");
        var (matrixOffset, fileLength) = Layout(UserCount, ItemsPerUser, FallbackCount);
        var (rowStartsOffset, itemsOffset) = (0UL, 0UL);
        if (PackedRows)
            (rowStartsOffset, itemsOffset, fileLength) = PackedLayout(matrixOffset, UserCount, ItemsPerUser, ItemCount, ItemBytes);
        if (MatrixOffset != matrixOffset || FileLength != fileLength || RowStartsOffset != rowStartsOffset || ItemsOffset != itemsOffset)
            throw new FeedFileException("corrupt header (layout fields disagree with the sizes)");
        if ((ulong)actualFileLength < FileLength)
            throw new FeedFileException($"truncated: {actualFileLength} bytes, the header promises {FileLength}");
        if ((ulong)actualFileLength > FileLength)
            throw new FeedFileException($"unexpected trailing data: {actualFileLength} bytes, the header promises {FileLength}");
    }

    /// <summary>The bytes a version leaves unused: 80..119 in version 1; 84..87 and 112..119 in version 2.</summary>
    private readonly bool ReservedBytesAreZero(ReadOnlySpan<byte> source) => PackedRows
        ? !source[84..88].ContainsAnyExcept((byte)0) && !source[112..ChecksumOffset].ContainsAnyExcept((byte)0)
        : !source[ReservedOffset..ChecksumOffset].ContainsAnyExcept((byte)0);

    private static void CheckField(string name, ulong value, ulong min, ulong max)
    {
        if (value < min || value > max)
            ThrowOutOfBounds(name, value, min, max);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfBounds(string name, ulong value, ulong min, ulong max) =>
        throw new FeedFileException($"corrupt header ({name} {value}, must be {min}..{max})");

    public static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            ThrowBigEndian();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBigEndian() => throw new PlatformNotSupportedException("recfeed feeds files are little-endian; this host is not");
}
