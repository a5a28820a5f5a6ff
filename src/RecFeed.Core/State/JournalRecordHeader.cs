using System.IO.Hashing;
using System.Runtime.InteropServices;
using RecFeed.Positions;

namespace RecFeed.State;

/// <summary>
/// The fixed 56-byte header of one journal record: one snapshot of the chunks that changed since the previous one,
/// appended after the base (<see cref="StateFileHeader"/>). The body follows: ChunkCount little-endian uint chunk
/// indices, strictly increasing, then for each of them <see cref="PositionTable.ChunkUsers"/> ushort positions, then
/// (after a version 3 base) for each of them as many ushort fallback cursors; the last chunk padded with zeros past
/// the last user. Both checksums are seeded with the base's HeaderChecksum, so a record only verifies after the base
/// it was written for.
/// <code>
/// offset size field
///      0    8 Magic              "RFJOURN\0"
///      8    8 Sequence           1 for the first record after the base, then 2, 3, ...
///     16    8 ChunkCount         chunks in this record, at least 1
///     24    8 UsersPastStart     positions that are not 0 once this record is applied
///     32    8 WrittenAtUnixMs    when the snapshot was taken
///     40    8 BodyChecksum       XxHash3-64 of the body
///     48    8 HeaderChecksum     XxHash3-64 of bytes 0..47
/// </code>
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct JournalRecordHeader
{
    public const int Size = 56;

    /// <summary>Bytes a chunk takes in the body: its index, its positions and its cursors.</summary>
    public const int ChunkBytes = sizeof(uint) + 2 * PositionTable.ChunkUsers * sizeof(ushort);

    /// <summary>As <see cref="ChunkBytes"/> after a version 2 base: no cursors.</summary>
    public const int PositionsOnlyChunkBytes = sizeof(uint) + PositionTable.ChunkUsers * sizeof(ushort);

    /// <summary>Most chunks one record holds (a 260 MiB body, 64M users' worth); a snapshot with more compacts instead.</summary>
    public const int MaxChunks = 1 << 20;

    /// <summary>"RFJOURN\0" read as a little-endian ulong.</summary>
    public const ulong MagicValue = 0x004E52554F4A4652;

    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] public ulong Sequence;
    [FieldOffset(16)] public ulong ChunkCount;
    [FieldOffset(24)] public ulong UsersPastStart;
    [FieldOffset(32)] public long WrittenAtUnixMs;
    [FieldOffset(40)] public ulong BodyChecksum;
    [FieldOffset(48)] public ulong HeaderChecksum;

    public readonly long BodyLength(int chunkBytes) => (long)ChunkCount * chunkBytes;

    public readonly long RecordLength(int chunkBytes) => Size + BodyLength(chunkBytes);

    public readonly void WriteTo(Span<byte> destination, ulong seed)
    {
        var copy = this;
        copy.Magic = MagicValue;
        copy.HeaderChecksum = 0;
        MemoryMarshal.Write(destination, in copy);
        copy.HeaderChecksum = XxHash3.HashToUInt64(destination[..48], (long)seed);
        MemoryMarshal.Write(destination[48..], in copy.HeaderChecksum);
    }

    /// <summary>Reads a header that verifies against <paramref name="seed"/> and names a body (of
    /// <paramref name="chunkBytes"/> a chunk) within <paramref name="room"/> bytes after it and at most
    /// <paramref name="chunks"/> (and <see cref="MaxChunks"/>) chunks; null otherwise.</summary>
    public static JournalRecordHeader? TryRead(ReadOnlySpan<byte> source, ulong seed, long room, int chunks, int chunkBytes)
    {
        if (source.Length < Size)
            return null;
        var h = MemoryMarshal.Read<JournalRecordHeader>(source);
        if (h.Magic != MagicValue || h.HeaderChecksum != XxHash3.HashToUInt64(source[..48], (long)seed))
            return null;
        if (h.ChunkCount == 0 || h.ChunkCount > (ulong)Math.Min(chunks, MaxChunks) || h.BodyLength(chunkBytes) > room)
            return null;
        return h;
    }
}
