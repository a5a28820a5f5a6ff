using Microsoft.Win32.SafeHandles;
using RecFeed.Format;
using RecFeed.Native;

namespace RecFeed.Slab;

/// <summary>
/// A verified delta file held in memory: its payload (sorted local rows, row starts, uint32 ids) copied verbatim into
/// one <see cref="NativeSlab"/>, so it takes the file's size less the header. Loaded whole or not at all: a file that
/// is truncated, corrupt anywhere, or inconsistent inside is refused before anything serves from it.
/// </summary>
public sealed unsafe class DeltaSlab : IDisposable
{
    private readonly NativeSlab _payload;
    private readonly uint* _users;
    private readonly uint* _starts;
    private readonly byte* _items;

    private DeltaSlab(string path, DeltaFileHeader header, FeedFileIdentity identity, NativeSlab payload)
    {
        Path = path;
        Header = header;
        Identity = identity;
        _payload = payload;
        _users = (uint*)payload.Pointer;
        _starts = (uint*)(payload.Pointer + header.StartsOffset);
        _items = payload.Pointer + header.ItemsOffset;
    }

    public string Path { get; }
    public string Name => System.IO.Path.GetFileName(Path);
    public DeltaFileHeader Header { get; }

    /// <summary>The file as it was when opened (its dataset id field holds the delta's id).</summary>
    public FeedFileIdentity Identity { get; }

    public ulong UserCount => Header.UserCount;
    public ulong Bytes => _payload.Length;

    /// <summary>The local row of this delta's <paramref name="index"/>-th user.</summary>
    public ulong UserAt(ulong index) => _users[index];

    /// <summary>The new list of this delta's <paramref name="index"/>-th user.</summary>
    public FeedRow Row(ulong index) => new(_items + _starts[index] * (ulong)sizeof(uint), (int)(_starts[index + 1] - _starts[index]), sizeof(uint));

    /// <summary>Where local row <paramref name="user"/> is in this delta; -1 when it lists no such user. Binary search.</summary>
    public long IndexOf(ulong user)
    {
        long low = 0, high = (long)UserCount - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var at = _users[middle];
            if (at == user)
                return middle;
            if (at < user)
                low = middle + 1;
            else
                high = middle - 1;
        }
        return -1;
    }

    /// <summary>Reads and checks just the header of a delta file.</summary>
    public static DeltaFileHeader ReadHeader(string path)
    {
        using var handle = FeedSlab.OpenOrThrow(path);
        return ReadHeader(handle);
    }

    /// <summary>Reads the whole file, checks the checksum and every row, or throws <see cref="FeedFileException"/>.</summary>
    public static DeltaSlab Load(string path)
    {
        using var handle = FeedSlab.OpenOrThrow(path);
        var header = ReadHeader(handle);
        var identity = new FeedFileIdentity(LibC.Inode(handle), RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle), header.DeltaId);
        var payload = new NativeSlab(header.PayloadLength);
        try
        {
            for (ulong at = 0; at < header.PayloadLength; at += PayloadChecksum.BlockSize)
            {
                var target = payload.Slice(at, (int)Math.Min(PayloadChecksum.BlockSize, header.PayloadLength - at));
                if (RandomAccess.Read(handle, target, DeltaFileHeader.Size + (long)at) != target.Length)
                    throw new FeedFileException("truncated while loading (the file shrank after it was opened)");
            }
            if (DeltaFileWriter.Checksum(payload, header.PayloadLength) != header.PayloadChecksum)
                throw new FeedFileException("corrupt payload (checksum mismatch)");
            var delta = new DeltaSlab(System.IO.Path.GetFullPath(path), header, identity, payload);
            if (delta.Problem() is { } problem)
                throw new FeedFileException($"corrupt payload ({problem})");
            return delta;
        }
        catch
        {
            payload.Dispose();
            throw;
        }
    }

    /// <summary>One pass over the rows: ascending users inside the base, starts from 0 forwards to ItemCount, no row too long, no id 0.</summary>
    private string? Problem()
    {
        if (_starts[0] != 0 || _starts[UserCount] != Header.ItemCount)
            return $"row starts run {_starts[0]}..{_starts[UserCount]}, the header says 0..{Header.ItemCount}";
        for (ulong i = 0; i < UserCount; i++)
        {
            if (_users[i] >= Header.BaseUserCount || (i > 0 && _users[i] <= _users[i - 1]))
                return $"user row {_users[i]} at {i}: out of order or past the base's {Header.BaseUserCount} users";
            if (_starts[i + 1] < _starts[i] || _starts[i + 1] - _starts[i] > Header.ItemsPerUser)
                return $"row {i} spans ids {_starts[i]}..{_starts[i + 1]}";
        }
        return new ReadOnlySpan<uint>(_items, (int)Header.ItemCount).Contains(0u) ? "an id 0 in a row" : null;
    }

    private static DeltaFileHeader ReadHeader(SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        Span<byte> bytes = stackalloc byte[DeltaFileHeader.Size];
        var read = RandomAccess.Read(handle, bytes, 0);
        return DeltaFileHeader.Read(bytes[..read], length);
    }

    public void Dispose() => _payload.Dispose();
}
