using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecFeed.Format;

/// <summary>
/// The fixed 128-byte header at the start of a feeds file. All fields little-endian.
/// <code>
/// offset size field
///      0    8 Magic            "RECFEED\0"
///      8    4 FormatVersion    1
///     12    4 HeaderSize       128
///     16    8 UserCount        rows in the matrix (users of this shard)
///     24    4 ItemsPerUser     1..65535 (read positions are ushort)
///     28    4 FallbackCount    ids in the fallback list
///     32    8 Seed             generator seed, 0 for imported data
///     40    8 DatasetId        identity that progress snapshots and reloads bind to
///     48    8 PayloadChecksum  see <see cref="PayloadChecksum"/>; covers every byte after the header
///     56    4 ShardIndex       k of "userId mod n == k"
///     60    4 ShardCount       n, 1 for a single-machine file
///     64    8 MatrixOffset     absolute offset of the user × items matrix, a multiple of 64
///     72    8 FileLength       total file length, so truncation is caught before hashing
///     80   40 reserved         zero
///    120    8 HeaderChecksum   XxHash3-64 of bytes 0..119
/// </code>
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct FeedFileHeader
{
    public const int Size = 128;
    public const uint CurrentVersion = 1;
    public const int MaxItemsPerUser = ushort.MaxValue;
    public const ulong MaxUserCount = 1UL << 32;
    public const int MatrixAlignment = 64;

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
    [FieldOffset(120)] public ulong HeaderChecksum;

    /// <summary>A header for the given shape with the layout fields (matrix offset, file length) filled in.</summary>
    public static FeedFileHeader Create(ulong userCount, int itemsPerUser, int fallbackCount, ulong seed, uint shardIndex = 0, uint shardCount = 1)
    {
        var matrixOffset = AlignUp((ulong)Size + (ulong)fallbackCount * sizeof(uint), MatrixAlignment);
        return new FeedFileHeader
        {
            Magic = MagicValue,
            FormatVersion = CurrentVersion,
            HeaderSize = Size,
            UserCount = userCount,
            ItemsPerUser = (uint)itemsPerUser,
            FallbackCount = (uint)fallbackCount,
            Seed = seed,
            ShardIndex = shardIndex,
            ShardCount = shardCount,
            MatrixOffset = matrixOffset,
            FileLength = matrixOffset + userCount * (ulong)itemsPerUser * sizeof(uint),
        };
    }

    public readonly ulong PayloadLength => FileLength - Size;
    public readonly ulong RowBytes => (ulong)ItemsPerUser * sizeof(uint);

    public readonly void WriteTo(Span<byte> destination)
    {
        EnsureLittleEndian();
        var copy = this;
        copy.HeaderChecksum = 0;
        MemoryMarshal.Write(destination, in copy);
        copy.HeaderChecksum = XxHash3.HashToUInt64(destination[..120]);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[120..], copy.HeaderChecksum);
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
        if (h.FormatVersion != CurrentVersion)
            throw new FeedFileException($"unsupported format version {h.FormatVersion} (this build reads version {CurrentVersion})");
        if (h.HeaderChecksum != XxHash3.HashToUInt64(source[..120]))
            throw new FeedFileException("corrupt header (header checksum mismatch)");
        h.Validate(actualFileLength);
        return h;
    }

    private readonly void Validate(long actualFileLength)
    {
        if (HeaderSize != Size)
            throw new FeedFileException($"corrupt header (header size {HeaderSize}, expected {Size})");
        if (ItemsPerUser is 0 or > MaxItemsPerUser)
            throw new FeedFileException($"corrupt header (items per user {ItemsPerUser}, must be 1..{MaxItemsPerUser})");
        if (UserCount > MaxUserCount)
            throw new FeedFileException($"corrupt header (user count {UserCount} exceeds {MaxUserCount})");
        if (ShardCount == 0 || ShardIndex >= ShardCount)
            throw new FeedFileException($"corrupt header (shard {ShardIndex} of {ShardCount})");
        var expected = Create(UserCount, (int)ItemsPerUser, (int)FallbackCount, Seed, ShardIndex, ShardCount);
        if (MatrixOffset != expected.MatrixOffset || FileLength != expected.FileLength)
            throw new FeedFileException("corrupt header (layout fields disagree with the sizes)");
        if ((ulong)actualFileLength < FileLength)
            throw new FeedFileException($"truncated: {actualFileLength} bytes, the header promises {FileLength}");
        if ((ulong)actualFileLength > FileLength)
            throw new FeedFileException($"unexpected trailing data: {actualFileLength} bytes, the header promises {FileLength}");
    }

    public static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            ThrowBigEndian();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBigEndian() => throw new PlatformNotSupportedException("recfeed feeds files are little-endian; this host is not");
}
