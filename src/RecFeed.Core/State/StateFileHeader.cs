using System.IO.Hashing;
using System.Runtime.InteropServices;
using RecFeed.Format;

namespace RecFeed.State;

/// <summary>
/// The fixed 64-byte header of a state file (<c>feeds.bin.state</c>), followed by UserCount little-endian ushort read
/// positions, one per user row of the feeds file, then (version 3) UserCount ushort fallback cursors: the <i>base</i>.
/// From version 2 on the journal follows the base: records of the chunks that changed since
/// (<see cref="JournalRecordHeader"/>). Versions 1 (a base alone) and 2 (no cursors) are still read, their cursors
/// as 0. All fields little-endian.
/// <code>
/// offset size field
///      0    8 Magic              "RFSTATE\0"
///      8    4 FormatVersion      3 (2: no cursors; 1: no cursors, no journal may follow)
///     12    4 HeaderSize         64
///     16    8 DatasetId          the feeds file's DatasetId these positions belong to
///     24    8 UserCount          positions (and cursors) that follow
///     32    8 UsersPastStart     positions that are not 0 (for the start-up log line)
///     40    8 PositionsChecksum  XxHash3-64 of the positions bytes followed by the cursors bytes
///     48    8 WrittenAtUnixMs    when the base was taken
///     56    8 HeaderChecksum     XxHash3-64 of bytes 0..55; also the seed of every journal record's checksums,
///                                which binds the records to this base
/// </code>
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct StateFileHeader
{
    public const int Size = 64;
    public const uint CurrentVersion = 3;
    public const uint NoCursorsVersion = 2;
    public const uint BaseOnlyVersion = 1;

    /// <summary>"RFSTATE\0" read as a little-endian ulong.</summary>
    public const ulong MagicValue = 0x0045544154534652;

    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] public uint FormatVersion;
    [FieldOffset(12)] public uint HeaderSize;
    [FieldOffset(16)] public ulong DatasetId;
    [FieldOffset(24)] public ulong UserCount;
    [FieldOffset(32)] public ulong UsersPastStart;
    [FieldOffset(40)] public ulong PositionsChecksum;
    [FieldOffset(48)] public long WrittenAtUnixMs;
    [FieldOffset(56)] public ulong HeaderChecksum;

    /// <summary>Whether fallback cursors follow the positions, in the base and in every journal record.</summary>
    public readonly bool HasCursors => FormatVersion >= CurrentVersion;

    /// <summary>Header, positions and cursors; the journal starts here.</summary>
    public readonly long BaseLength => Size + (long)UserCount * sizeof(ushort) * (HasCursors ? 2 : 1);

    /// <summary>Bytes a chunk takes in a journal record after this base.</summary>
    public readonly int ChunkBytes => HasCursors ? JournalRecordHeader.ChunkBytes : JournalRecordHeader.PositionsOnlyChunkBytes;

    /// <returns>The HeaderChecksum written.</returns>
    public readonly ulong WriteTo(Span<byte> destination)
    {
        var copy = this;
        copy.Magic = MagicValue;
        copy.FormatVersion = CurrentVersion;
        copy.HeaderSize = Size;
        copy.HeaderChecksum = 0;
        MemoryMarshal.Write(destination, in copy);
        copy.HeaderChecksum = XxHash3.HashToUInt64(destination[..56]);
        MemoryMarshal.Write(destination[56..], in copy.HeaderChecksum);
        return copy.HeaderChecksum;
    }

    /// <summary>Reads and checks a header; throws <see cref="StateFileException"/> with a one-line reason when it is not a sound snapshot header.</summary>
    public static StateFileHeader Read(ReadOnlySpan<byte> source, long actualFileLength)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("recfeed state files are little-endian; this host is not");
        if (source.Length < Size)
            throw new StateFileException($"truncated: {actualFileLength} bytes, shorter than the {Size}-byte header");
        var h = MemoryMarshal.Read<StateFileHeader>(source);
        if (h.Magic != MagicValue)
            throw new StateFileException("not a recfeed state file (bad magic)");
        if (h.FormatVersion is not (CurrentVersion or NoCursorsVersion or BaseOnlyVersion))
            throw new StateFileException(
                $"unsupported state format version {h.FormatVersion} (this build reads versions {BaseOnlyVersion} to {CurrentVersion})");
        if (h.HeaderChecksum != XxHash3.HashToUInt64(source[..56]))
            throw new StateFileException("corrupt header (header checksum mismatch)");
        if (h.HeaderSize != Size || h.UserCount > FeedFileHeader.MaxUserCount || h.UsersPastStart > h.UserCount)
            throw new StateFileException("corrupt header (fields out of range)");
        if (actualFileLength < h.BaseLength || (h.FormatVersion == BaseOnlyVersion && actualFileLength != h.BaseLength))
            throw new StateFileException(
                $"wrong length: {actualFileLength} bytes, the header promises {(h.FormatVersion == BaseOnlyVersion ? "" : "at least ")}{h.BaseLength}");
        return h;
    }
}
