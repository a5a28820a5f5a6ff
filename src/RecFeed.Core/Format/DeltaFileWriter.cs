using System.Runtime.InteropServices;
using RecFeed.Native;

namespace RecFeed.Format;

/// <summary>
/// Writes a delta file (<see cref="DeltaFileHeader"/>) for a base feeds file through <see cref="AtomicFile"/>: the
/// payload is laid out in native memory (it is a few percent of the base), hashed in the feeds file's blocks, written
/// once, and renamed over the final name, so <c>serve</c> never sees half a delta.
/// </summary>
public static class DeltaFileWriter
{
    /// <param name="rows">Local rows of <paramref name="base"/>, strictly ascending, each with its new list (no 0, at
    /// most the base's items per user).</param>
    public static unsafe DeltaFileHeader Write(string path, FeedFileHeader @base, IReadOnlyList<(ulong Row, uint[] Items)> rows, bool flushToDisk = true)
    {
        ulong items = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, list) = rows[i];
            if (row >= @base.UserCount || (i > 0 && row <= rows[i - 1].Row) || list.Length > @base.ItemsPerUser || list.AsSpan().Contains(0u))
                throw new ArgumentException($"row {row}: out of order, outside the base, too long or holding a 0", nameof(rows));
            items += (ulong)list.Length;
        }
        var header = DeltaFileHeader.For(@base, (ulong)rows.Count, items);
        using var payload = new NativeSlab(header.PayloadLength);
        var users = new Span<uint>(payload.Pointer, rows.Count);
        var starts = new Span<uint>(payload.Pointer + header.StartsOffset, rows.Count + 1);
        var ids = (uint*)(payload.Pointer + header.ItemsOffset);
        uint next = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            users[i] = (uint)rows[i].Row;
            starts[i] = next;
            rows[i].Items.CopyTo(new Span<uint>(ids + next, rows[i].Items.Length));
            next += (uint)rows[i].Items.Length;
        }
        starts[rows.Count] = next;
        header.PayloadChecksum = Checksum(payload, header.PayloadLength);
        header.DeltaId = header.ContentId();
        return AtomicFile.Write(path, (long)header.FileLength, flushToDisk, handle =>
        {
            Span<byte> bytes = stackalloc byte[DeltaFileHeader.Size];
            header.WriteTo(bytes);
            RandomAccess.Write(handle, bytes, 0);
            for (ulong at = 0; at < header.PayloadLength; at += PayloadChecksum.BlockSize)
                RandomAccess.Write(handle, payload.Slice(at, (int)Math.Min(PayloadChecksum.BlockSize, header.PayloadLength - at)),
                    DeltaFileHeader.Size + (long)at);
            return header;
        });
    }

    /// <summary>The feeds file's two-level payload checksum over <paramref name="length"/> bytes of <paramref name="payload"/>.</summary>
    public static ulong Checksum(NativeSlab payload, ulong length)
    {
        var checksum = new PayloadChecksum(length);
        for (var block = 0; block < PayloadChecksum.BlockCount(length); block++)
        {
            var at = (ulong)block * PayloadChecksum.BlockSize;
            checksum.AddBlock(block, payload.Slice(at, (int)Math.Min(PayloadChecksum.BlockSize, length - at)));
        }
        return checksum.Value;
    }
}
