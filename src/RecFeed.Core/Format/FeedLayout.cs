using System.Runtime.InteropServices;
using RecFeed.Native;

namespace RecFeed.Format;

/// <summary>
/// Where a writer puts each row: version 1 rows are <c>ItemsPerUser</c> uint32 slots each; version 2 rows are their
/// own length, located by a <see cref="RowIndex"/> that is planned here, from the source's row lengths, before any
/// byte is written (the header must know the id count and the file length up front).
/// </summary>
public sealed unsafe class FeedLayout : IDisposable
{
    /// <summary>Version 2 with a row index only: the file's bytes from <c>MatrixOffset</c> to <c>ItemsOffset</c>, padding included.</summary>
    private readonly NativeSlab? _indexBytes;
    private readonly RowIndex _index;

    private FeedLayout(FeedFileHeader header, NativeSlab? indexBytes)
    {
        Header = header;
        _indexBytes = indexBytes;
        if (indexBytes is not null)
            _index = new RowIndex((ulong*)indexBytes.Pointer, (uint*)(indexBytes.Pointer + (header.RowStartsOffset - header.MatrixOffset)), header.UserCount);
    }

    public FeedFileHeader Header { get; }

    /// <summary>The layout of <paramref name="shape"/> (from <see cref="FeedFileHeader.Create"/>) in format <paramref name="version"/>.</summary>
    public static FeedLayout Plan(FeedFileHeader shape, uint version, IFeedSource source)
    {
        if (version == FeedFileHeader.Version1)
            return new FeedLayout(shape, null);
        if (version != FeedFileHeader.Version2)
            throw new ArgumentOutOfRangeException(nameof(version), version, "format versions are 1 and 2");
        var itemBytes = FeedFileHeader.ItemBytesFor(source.MaxItemId);
        var items = 0UL;
        for (ulong user = 0; user < shape.UserCount; user++)
        {
            var length = source.RowLength(user);
            if ((uint)length > shape.ItemsPerUser)
                throw new InvalidOperationException($"row {user} has {length} ids, more than the {shape.ItemsPerUser} a row may hold");
            items += (ulong)length;
        }
        var header = shape.WithPackedRows(items, itemBytes);
        if (!header.HasRowIndex)
            return new FeedLayout(header, null);
        var indexBytes = new NativeSlab(header.ItemsOffset - header.MatrixOffset);
        try
        {
            NativeMemory.Clear(indexBytes.Pointer, (nuint)indexBytes.Length);
            FillIndex((ulong*)indexBytes.Pointer, (uint*)(indexBytes.Pointer + (header.RowStartsOffset - header.MatrixOffset)), header, source);
            return new FeedLayout(header, indexBytes);
        }
        catch
        {
            indexBytes.Dispose();
            throw;
        }
    }

    /// <summary>Writes every row's start (the lengths were checked while counting).</summary>
    private static void FillIndex(ulong* groupStarts, uint* rowStarts, FeedFileHeader header, IFeedSource source)
    {
        var start = 0UL;
        for (ulong user = 0; ; user++)
        {
            if ((user & (RowIndex.GroupUsers - 1)) == 0)
                groupStarts[user >> RowIndex.GroupShift] = start;
            rowStarts[user] = (uint)(start - groupStarts[user >> RowIndex.GroupShift]);
            if (user == header.UserCount)
                return;
            start += (ulong)source.RowLength(user);
        }
    }

    public int ItemBytes => Header.StoredItemBytes;

    /// <summary>File offset of the first row's first id.</summary>
    public ulong ItemsOffset => Header.FirstItemOffset;

    /// <summary>End of the rows; version 2 pads from here to <c>FileLength</c> with zeros.</summary>
    public ulong ItemsEnd => ItemsOffset + (Header.PackedRows ? Header.ItemCount : Header.UserCount * Header.ItemsPerUser) * (ulong)ItemBytes;

    /// <summary>Bytes of the row index as they go in the file, from <paramref name="offset"/> past <c>MatrixOffset</c> (version 2).</summary>
    public ReadOnlySpan<byte> IndexBytes(ulong offset, int length) => _indexBytes!.Slice(offset, length);

    /// <summary>Index of a row's first id in the item array; without an index rows are all <c>ItemsPerUser</c> long (version 1: padding included).</summary>
    public ulong RowStart(ulong user) => _indexBytes is null ? user * Header.ItemsPerUser : _index.Start(user);

    public int RowLength(ulong user) => (int)(RowStart(user + 1) - RowStart(user));

    /// <summary>The row that holds id number <paramref name="item"/>: the last user whose row starts at or before it.</summary>
    public ulong RowOf(ulong item)
    {
        if (_indexBytes is null)
            return item / Header.ItemsPerUser;
        ulong low = 0, high = Header.UserCount - 1;
        while (low < high)
        {
            var middle = low + (high - low + 1) / 2;
            if (_index.Start(middle) <= item)
                low = middle;
            else
                high = middle - 1;
        }
        return low;
    }

    public void Dispose() => _indexBytes?.Dispose();
}
