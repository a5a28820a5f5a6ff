using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace RecFeed.Format;

/// <summary>
/// The fixed 128-byte header of a delta file (<c>feeds.bin.deltas/0001.delta</c>): the new lists of some users of one
/// base feeds file, bound to the base's dataset id (docs/feeds-format.md, "Delta files"). All fields little-endian.
/// The payload follows: UserCount uint32 local rows (strictly ascending), UserCount + 1 uint32 row starts
/// (start[0] = 0, non-decreasing, start[UserCount] = ItemCount), then ItemCount uint32 ids; the payload checksum is a feeds file's.
/// <code>
/// offset size field
///      0    8 Magic            "RFDELTA\0"
///      8    4 FormatVersion    1
///     12    4 HeaderSize       128
///     16    8 BaseDatasetId    the DatasetId of the feeds file these rows replace rows of
///     24    8 DeltaId          this delta's identity (XxHash3-64 of the header with it and HeaderChecksum zeroed)
///     32    8 BaseUserCount    users (rows) of the base: every local row is below it
///     40    8 UserCount        rows in this delta, 1..BaseUserCount
///     48    4 ItemsPerUser     the base's: a row holds at most this many ids
///     52    4 ShardIndex       the base's shard
///     56    4 ShardCount
///     60    4 reserved         zero
///     64    8 ItemCount        ids in the payload
///     72    8 FileLength       128 + 4 × (2 × UserCount + 1 + ItemCount)
///     80    8 PayloadChecksum  two-level XxHash3-64 of bytes 128..FileLength, as in a feeds file
///     88   32 reserved         zero
///    120    8 HeaderChecksum   XxHash3-64 of bytes 0..119
/// </code>
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct DeltaFileHeader
{
    public const int Size = 128;
    public const uint CurrentVersion = 1;

    /// <summary>"RFDELTA\0" read as a little-endian ulong.</summary>
    public const ulong MagicValue = 0x0041544C45444652;

    private const int ChecksumOffset = 120;

    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] public uint FormatVersion;
    [FieldOffset(12)] public uint HeaderSize;
    [FieldOffset(16)] public ulong BaseDatasetId;
    [FieldOffset(24)] public ulong DeltaId;
    [FieldOffset(32)] public ulong BaseUserCount;
    [FieldOffset(40)] public ulong UserCount;
    [FieldOffset(48)] public uint ItemsPerUser;
    [FieldOffset(52)] public uint ShardIndex;
    [FieldOffset(56)] public uint ShardCount;
    [FieldOffset(64)] public ulong ItemCount;
    [FieldOffset(72)] public ulong FileLength;
    [FieldOffset(80)] public ulong PayloadChecksum;
    [FieldOffset(120)] public ulong HeaderChecksum;

    /// <summary>A delta of <paramref name="userCount"/> rows holding <paramref name="itemCount"/> ids for <paramref name="base"/>.</summary>
    public static DeltaFileHeader For(FeedFileHeader @base, ulong userCount, ulong itemCount) => new()
    {
        Magic = MagicValue,
        FormatVersion = CurrentVersion,
        HeaderSize = Size,
        BaseDatasetId = @base.DatasetId,
        BaseUserCount = @base.UserCount,
        UserCount = userCount,
        ItemsPerUser = @base.ItemsPerUser,
        ShardIndex = @base.ShardIndex,
        ShardCount = @base.ShardCount,
        ItemCount = itemCount,
        FileLength = LengthFor(userCount, itemCount),
    };

    private static ulong LengthFor(ulong userCount, ulong itemCount) => checked(Size + sizeof(uint) * (2 * userCount + 1 + itemCount));

    public readonly ulong PayloadLength => FileLength - Size;

    /// <summary>Where the row starts begin, relative to the payload.</summary>
    public readonly ulong StartsOffset => UserCount * sizeof(uint);

    /// <summary>Where the ids begin, relative to the payload.</summary>
    public readonly ulong ItemsOffset => (2 * UserCount + 1) * sizeof(uint);

    /// <summary>The identity of a delta: a hash of its header with the id and header checksum zeroed (it covers the payload checksum).</summary>
    public readonly ulong ContentId()
    {
        var copy = this;
        copy.DeltaId = 0;
        copy.HeaderChecksum = 0;
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<DeltaFileHeader>(ref copy)));
    }

    public readonly void WriteTo(Span<byte> destination)
    {
        var copy = this;
        copy.HeaderChecksum = 0;
        MemoryMarshal.Write(destination, in copy);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[ChecksumOffset..], XxHash3.HashToUInt64(destination[..ChecksumOffset]));
    }

    /// <summary>Reads and checks a header against the file's real length; throws <see cref="FeedFileException"/> with a one-line reason.</summary>
    public static DeltaFileHeader Read(ReadOnlySpan<byte> source, long actualFileLength)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("recfeed delta files are little-endian; this host is not");
        if (source.Length < Size)
            throw new FeedFileException($"truncated: {actualFileLength} bytes, shorter than the {Size}-byte delta header");
        var h = MemoryMarshal.Read<DeltaFileHeader>(source);
        if (h.Magic != MagicValue)
            throw new FeedFileException("not a recfeed delta file (bad magic)");
        if (h.FormatVersion != CurrentVersion)
            throw new FeedFileException($"unsupported delta format version {h.FormatVersion} (this build reads version {CurrentVersion})");
        if (h.HeaderChecksum != XxHash3.HashToUInt64(source[..ChecksumOffset]))
            throw new FeedFileException("corrupt header (header checksum mismatch)");
        if (h.HeaderSize != Size || h.BaseUserCount > FeedFileHeader.MaxUserCount || h.UserCount == 0 || h.UserCount > h.BaseUserCount
            || h.ItemsPerUser is 0 or > FeedFileHeader.MaxItemsPerUser || h.ShardCount is 0 or > FeedFileHeader.MaxShardCount
            || h.ShardIndex >= h.ShardCount || h.ItemCount > h.UserCount * h.ItemsPerUser || h.ItemCount > int.MaxValue)
            throw new FeedFileException("corrupt header (fields out of range)");
        if (source[60..64].ContainsAnyExcept((byte)0) || source[88..ChecksumOffset].ContainsAnyExcept((byte)0))
            throw new FeedFileException("corrupt header (reserved bytes are not zero)");
        if (h.FileLength != LengthFor(h.UserCount, h.ItemCount))
            throw new FeedFileException("corrupt header (file length disagrees with the sizes)");
        if (h.DeltaId != h.ContentId())
            throw new FeedFileException("corrupt header (delta id disagrees with the header)");
        if ((ulong)actualFileLength < h.FileLength)
            throw new FeedFileException($"truncated: {actualFileLength} bytes, the header promises {h.FileLength}");
        if ((ulong)actualFileLength > h.FileLength)
            throw new FeedFileException($"unexpected trailing data: {actualFileLength} bytes, the header promises {h.FileLength}");
        return h;
    }
}
