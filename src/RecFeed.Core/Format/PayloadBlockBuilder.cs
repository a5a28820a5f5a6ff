using System.Runtime.InteropServices;

namespace RecFeed.Format;

/// <summary>
/// Assembles one checksum block of the payload (fallback list, zero padding, matrix rows) from an
/// <see cref="IFeedSource"/>. Rows that straddle a block edge are produced twice, once per block; sources are
/// deterministic, so both halves agree. One builder per thread.
/// </summary>
internal sealed class PayloadBlockBuilder(FeedFileHeader header, IFeedSource source)
{
    private readonly byte[] _block = new byte[PayloadChecksum.BlockSize];
    private readonly uint[] _row = new uint[header.ItemsPerUser];
    private readonly ulong _matrixStart = header.MatrixOffset - FeedFileHeader.Size;

    public ReadOnlySpan<byte> Build(int blockIndex)
    {
        var start = (ulong)blockIndex * PayloadChecksum.BlockSize;
        var length = (int)Math.Min(PayloadChecksum.BlockSize, header.PayloadLength - start);
        var block = _block.AsSpan(0, length);
        var end = start + (ulong)length;
        if (start < _matrixStart)
            WritePreamble(block, start);
        if (end > _matrixStart)
            WriteRows(block, start, end);
        return block;
    }

    private void WritePreamble(Span<byte> block, ulong start)
    {
        var preamble = new byte[_matrixStart];
        source.WriteFallback(MemoryMarshal.Cast<byte, uint>(preamble.AsSpan(0, (int)header.FallbackCount * sizeof(uint))));
        var n = (int)Math.Min((ulong)block.Length, _matrixStart - start);
        preamble.AsSpan((int)start, n).CopyTo(block);
    }

    private void WriteRows(Span<byte> block, ulong start, ulong end)
    {
        var rowBytes = header.RowBytes;
        var from = Math.Max(start, _matrixStart) - _matrixStart;
        var to = end - _matrixStart;
        var rowBytesSpan = MemoryMarshal.AsBytes(_row.AsSpan());
        for (var user = from / rowBytes; user * rowBytes < to; user++)
        {
            source.WriteRow(user, _row);
            var rowStart = user * rowBytes;
            var copyFrom = Math.Max(rowStart, from);
            var copyTo = Math.Min(rowStart + rowBytes, to);
            rowBytesSpan.Slice((int)(copyFrom - rowStart), (int)(copyTo - copyFrom))
                .CopyTo(block[(int)(copyFrom + _matrixStart - start)..]);
        }
    }
}
