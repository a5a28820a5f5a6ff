using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using RecFeed.Feed;
using RecFeed.Format;

namespace RecFeed.State;

/// <summary>
/// The read positions and fallback cursors of the users the applied deltas list (<see cref="AppliedDelta"/>), beside
/// the state file (<c>feeds.bin.state.deltas</c>), rewritten whole through <see cref="AtomicFile"/> when one moved or
/// the set of deltas changed. It names the deltas that were applied (by id), so a restart that applies them again
/// restores their users' positions instead of resetting them: only a delta it does not name starts its users at 0.
/// The base's state file (version 3, its journal) is untouched by deltas. All fields little-endian.
/// <code>
/// offset size field
///      0    8 Magic            "RFDSTAT\0"
///      8    4 FormatVersion    1
///     12    4 HeaderSize       64
///     16    8 DatasetId        the base these deltas were applied to
///     24    8 DeltaCount       records that follow
///     32    8 BodyLength       bytes of records
///     40    8 BodyChecksum     XxHash3-64 of the records
///     48    8 WrittenAtUnixMs
///     56    8 HeaderChecksum   XxHash3-64 of bytes 0..55
/// record: DeltaId (8), UserCount (8), UserCount ushort positions, UserCount ushort cursors, zeros to a multiple of 8
/// </code>
/// </summary>
public static class DeltaStateFile
{
    public const int HeaderSize = 64;
    private const ulong Magic = 0x0054415453444652; // "RFDSTAT\0"

    public static string PathFor(string statePath) => statePath + ".deltas";

    private static long RecordLength(ulong users) => 16 + (long)FeedFileHeader.AlignUp(users * 2 * sizeof(ushort), 8);

    /// <summary>Writes every delta of <paramref name="generation"/> with its users' positions and cursors.</summary>
    public static long Write(string path, FeedGeneration generation)
    {
        var deltas = generation.Deltas;
        foreach (var delta in deltas)
            delta.Positions.TakeAllChanged();
        var bodyLength = deltas.Sum(d => RecordLength(d.Slab.UserCount));
        var body = new byte[bodyLength];
        long at = 0;
        foreach (var delta in deltas)
        {
            var users = (int)delta.Slab.UserCount;
            BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan((int)at), delta.DeltaId);
            BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan((int)at + 8), (ulong)users);
            var values = MemoryMarshal.Cast<byte, ushort>(body.AsSpan((int)at + 16, users * 2 * sizeof(ushort)));
            delta.Positions.Slice(0, users).CopyTo(values);
            delta.Positions.CursorSlice(0, users).CopyTo(values[users..]);
            at += RecordLength((ulong)users);
        }
        var header = new byte[HeaderSize];
        BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), HeaderSize);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), generation.DatasetId);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), (ulong)deltas.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), (ulong)bodyLength);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(40), XxHash3.HashToUInt64(body));
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(48), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(56), XxHash3.HashToUInt64(header.AsSpan(0, 56)));
        AtomicFile.Write(path, HeaderSize + bodyLength, flushToDisk: true, handle =>
        {
            RandomAccess.Write(handle, header, 0);
            RandomAccess.Write(handle, body, HeaderSize);
            return true;
        });
        return HeaderSize + bodyLength;
    }

    /// <summary>
    /// Restores the positions of each delta of <paramref name="generation"/> that <paramref name="path"/> names (same id
    /// and user count, same base) before serving; returns the names restored. A missing, damaged or foreign file
    /// restores nothing (those deltas' users start at 0) and says why in <paramref name="problem"/>.
    /// </summary>
    public static List<string> Restore(string path, FeedGeneration generation, out string? problem)
    {
        problem = null;
        var restored = new List<string>();
        if (generation.Deltas.Count == 0 || !File.Exists(path))
            return restored;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"unreadable: {e.Message}";
            return restored;
        }
        var span = bytes.AsSpan();
        if (span.Length < HeaderSize || BinaryPrimitives.ReadUInt64LittleEndian(span) != Magic
            || BinaryPrimitives.ReadUInt64LittleEndian(span[56..]) != XxHash3.HashToUInt64(span[..56])
            || BinaryPrimitives.ReadUInt64LittleEndian(span[32..]) != (ulong)(span.Length - HeaderSize)
            || BinaryPrimitives.ReadUInt64LittleEndian(span[40..]) != XxHash3.HashToUInt64(span[HeaderSize..]))
        {
            problem = "not a sound delta state file (magic, length or checksum)";
            return restored;
        }
        if (BinaryPrimitives.ReadUInt64LittleEndian(span[16..]) != generation.DatasetId)
            return restored; // the deltas of another base: superseded, their positions with them
        var count = BinaryPrimitives.ReadUInt64LittleEndian(span[24..]);
        var at = HeaderSize;
        for (ulong r = 0; r < count && at + 16 <= span.Length; r++)
        {
            var id = BinaryPrimitives.ReadUInt64LittleEndian(span[at..]);
            var users = BinaryPrimitives.ReadUInt64LittleEndian(span[(at + 8)..]);
            if (users > (ulong)(span.Length - at) / 4)
                break;
            var values = MemoryMarshal.Cast<byte, ushort>(span.Slice(at + 16, (int)users * 2 * sizeof(ushort)));
            if (generation.Deltas.FirstOrDefault(d => d.DeltaId == id && d.Slab.UserCount == users) is { } delta
                && (delta.Slab.Header.ItemsPerUser == ushort.MaxValue
                    || !values[..(int)users].ContainsAnyInRange((ushort)(delta.Slab.Header.ItemsPerUser + 1), ushort.MaxValue)))
            {
                values[..(int)users].CopyTo(delta.Positions.Slice(0, (int)users));
                values[(int)users..].CopyTo(delta.Positions.CursorSlice(0, (int)users));
                delta.Positions.TakeAllChanged();
                restored.Add(delta.Name);
            }
            at += (int)RecordLength(users);
        }
        return restored;
    }
}
