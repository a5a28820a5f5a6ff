using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecFeed.Format;

/// <summary>
/// Assembles one checksum block of the payload (fallback list, zero padding, the version 2 row index, the rows)
/// from an <see cref="IFeedSource"/>. Rows that straddle a block edge are produced twice, once per block; sources
/// are deterministic, so both halves agree. One builder per thread.
/// </summary>
internal sealed class PayloadBlockBuilder(FeedLayout layout, IFeedSource source)
{
    private readonly byte[] _block = new byte[PayloadChecksum.BlockSize];
    private readonly uint[] _row = new uint[layout.Header.ItemsPerUser];
    /// <summary>A row's ids at <see cref="FeedLayout.ItemBytes"/> each; 4-byte stores, so one slot of slack.</summary>
    private readonly byte[] _packed = new byte[(layout.Header.ItemsPerUser + 1) * sizeof(uint)];
    private readonly ulong _matrixStart = layout.Header.MatrixOffset - FeedFileHeader.Size;
    private readonly ulong _itemsStart = layout.ItemsOffset - FeedFileHeader.Size;
    private readonly ulong _itemsEnd = layout.ItemsEnd - FeedFileHeader.Size;

    public ReadOnlySpan<byte> Build(int blockIndex)
    {
        var start = (ulong)blockIndex * PayloadChecksum.BlockSize;
        var length = (int)Math.Min(PayloadChecksum.BlockSize, layout.Header.PayloadLength - start);
        var block = _block.AsSpan(0, length);
        var end = start + (ulong)length;
        if (start < _matrixStart)
            WritePreamble(block, start);
        if (layout.Header.HasRowIndex && start < _itemsStart && end > _matrixStart)
            WriteIndex(block, start, end);
        if (start < _itemsEnd && end > _itemsStart)
            WriteRows(block, start, end);
        if (end > _itemsEnd)
            block[(int)(Math.Max(start, _itemsEnd) - start)..].Clear();
        return block;
    }

    private void WritePreamble(Span<byte> block, ulong start)
    {
        var preamble = new byte[_matrixStart];
        source.WriteFallback(MemoryMarshal.Cast<byte, uint>(preamble.AsSpan(0, (int)layout.Header.FallbackCount * sizeof(uint))));
        var n = (int)Math.Min((ulong)block.Length, _matrixStart - start);
        preamble.AsSpan((int)start, n).CopyTo(block);
    }

    private void WriteIndex(Span<byte> block, ulong start, ulong end)
    {
        var from = Math.Max(start, _matrixStart);
        var to = Math.Min(end, _itemsStart);
        layout.IndexBytes(from - _matrixStart, (int)(to - from)).CopyTo(block[(int)(from - start)..]);
    }

    private void WriteRows(Span<byte> block, ulong start, ulong end)
    {
        var itemBytes = (ulong)layout.ItemBytes;
        var from = Math.Max(start, _itemsStart) - _itemsStart;
        var to = Math.Min(end, _itemsEnd) - _itemsStart;
        for (var user = layout.RowOf(from / itemBytes); user < layout.Header.UserCount; user++)
        {
            var rowStart = layout.RowStart(user) * itemBytes;
            if (rowStart >= to)
                break;
            var length = layout.RowLength(user);
            if (length == 0)
                continue;
            source.WriteRow(user, _row);
            var row = Pack(_row.AsSpan(0, length));
            var copyFrom = Math.Max(rowStart, from);
            var copyTo = Math.Min(rowStart + (ulong)row.Length, to);
            row.Slice((int)(copyFrom - rowStart), (int)(copyTo - copyFrom)).CopyTo(block[(int)(copyFrom + _itemsStart - start)..]);
        }
    }

    /// <summary>The ids at the layout's width, little-endian: each a 4-byte store whose high bytes the next overwrites.</summary>
    private ReadOnlySpan<byte> Pack(ReadOnlySpan<uint> ids)
    {
        var itemBytes = layout.ItemBytes;
        if (itemBytes == sizeof(uint))
            return MemoryMarshal.AsBytes(ids);
        var limit = uint.MaxValue >> (32 - 8 * itemBytes);
        ref var packed = ref MemoryMarshal.GetArrayDataReference(_packed);
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] > limit)
                throw new InvalidOperationException($"item id {ids[i]} does not fit in {itemBytes} bytes: the source's MaxItemId is wrong");
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref packed, i * itemBytes), ids[i]);
        }
        return _packed.AsSpan(0, ids.Length * itemBytes);
    }
}
