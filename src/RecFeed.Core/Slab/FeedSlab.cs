using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using RecFeed.Format;
using RecFeed.Native;

namespace RecFeed.Slab;

/// <summary>
/// A verified feeds file held in memory: the payload (fallback list, then the user × items matrix of version 1 or
/// the row index and packed ids of version 2) copied verbatim into one <see cref="NativeSlab"/>, so rows are read
/// with plain pointer arithmetic and no managed object per user.
/// </summary>
public sealed unsafe class FeedSlab : IDisposable
{
    private readonly NativeSlab _slab;
    private readonly byte* _items;
    private readonly int _itemBytes;
    /// <summary>Rows without an index are all <c>ItemsPerUser</c> ids: version 1 (padded) and version 2 with every row full.</summary>
    private readonly ulong _rowBytes;
    private readonly RowIndex? _index;

    private FeedSlab(string path, FeedFileHeader header, FeedFileIdentity identity, NativeSlab slab, TimeSpan loadTime)
    {
        Path = System.IO.Path.GetFullPath(path);
        Header = header;
        Identity = identity;
        _slab = slab;
        LoadTime = loadTime;
        LoadedAt = DateTimeOffset.UtcNow;
        _items = At(header.FirstItemOffset);
        _itemBytes = header.StoredItemBytes;
        _rowBytes = header.ItemsPerUser * (ulong)_itemBytes;
        if (header.HasRowIndex)
            _index = new RowIndex((ulong*)At(header.MatrixOffset), (uint*)At(header.RowStartsOffset), header.UserCount);
    }

    private byte* At(ulong fileOffset) => _slab.Pointer + (fileOffset - FeedFileHeader.Size);

    /// <summary>The file this was loaded from.</summary>
    public string Path { get; }

    public FeedFileHeader Header { get; }

    /// <summary>The file this slab was read from, as it was when opened.</summary>
    public FeedFileIdentity Identity { get; }
    public ulong UserCount => Header.UserCount;
    public int ItemsPerUser => (int)Header.ItemsPerUser;
    public ulong Bytes => _slab.Length;
    public TimeSpan LoadTime { get; }
    public DateTimeOffset LoadedAt { get; }

    public ReadOnlySpan<uint> Fallback => new(_slab.Pointer, (int)Header.FallbackCount);

    /// <summary>The stored row of a local user index (version 1: padding zeros included). The caller checks the index.</summary>
    public FeedRow Row(ulong user)
    {
        Debug.Assert(user < UserCount);
        if (_index is not { } index)
            return new FeedRow(_items + user * _rowBytes, ItemsPerUser, _itemBytes);
        var start = index.Start(user);
        return new FeedRow(_items + start * (ulong)_itemBytes, (int)(index.Start(user + 1) - start), _itemBytes);
    }

    /// <summary>
    /// One user's stored ids read straight from the file, without loading or verifying the rest (version 1: padding
    /// zeros included). The row's place is checked against the header, so a corrupt index is an error, not a wild read.
    /// </summary>
    public static uint[] ReadRow(string path, FeedFileHeader header, ulong user)
    {
        using var handle = OpenOrThrow(path);
        var (offset, length, itemBytes) = header.HasRowIndex ? PackedRowPlace(handle, header, user)
            : (header.FirstItemOffset + user * header.ItemsPerUser * (ulong)header.StoredItemBytes, (int)header.ItemsPerUser, header.StoredItemBytes);
        var bytes = new byte[length * itemBytes + sizeof(uint)]; // slack for the 4-byte load of the last id
        ReadExactly(handle, bytes.AsSpan(0, length * itemBytes), offset);
        fixed (byte* items = bytes)
            return new FeedRow(items, length, itemBytes).ToArray();
    }

    private static (ulong Offset, int Length, int ItemBytes) PackedRowPlace(SafeFileHandle handle, FeedFileHeader header, ulong user)
    {
        Span<ulong> groups = stackalloc ulong[2];
        Span<uint> starts = stackalloc uint[2];
        ReadExactly(handle, MemoryMarshal.AsBytes(groups[..1]), header.MatrixOffset + (user >> RowIndex.GroupShift) * sizeof(ulong));
        ReadExactly(handle, MemoryMarshal.AsBytes(groups[1..]), header.MatrixOffset + ((user + 1) >> RowIndex.GroupShift) * sizeof(ulong));
        ReadExactly(handle, MemoryMarshal.AsBytes(starts), header.RowStartsOffset + user * sizeof(uint));
        var start = groups[0] + starts[0];
        var end = groups[1] + starts[1];
        if (start > end || end > header.ItemCount || end - start > header.ItemsPerUser)
            throw new FeedFileException($"corrupt payload (row {user} spans ids {start}..{end} of {header.ItemCount})");
        return (header.ItemsOffset + start * header.ItemBytes, (int)(end - start), (int)header.ItemBytes);
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> destination, ulong offset)
    {
        if (RandomAccess.Read(handle, destination, (long)offset) != destination.Length)
            throw new FeedFileException("truncated while reading a row");
    }

    /// <summary>Reads just the header of a feeds file, checked against the file's length.</summary>
    public static FeedFileHeader ReadHeader(string path)
    {
        using var handle = OpenOrThrow(path);
        return ReadHeader(handle);
    }

    /// <summary>The header and identity of a feeds file, without reading its payload: what a reload decides on first.</summary>
    public static (FeedFileHeader Header, FeedFileIdentity Identity) Probe(string path)
    {
        using var handle = OpenOrThrow(path);
        var header = ReadHeader(handle);
        return (header, FeedFileIdentity.Of(handle, header));
    }

    /// <summary>Reads the file's payload into a new slab and verifies the checksum on the way.</summary>
    public static FeedSlab Load(string path, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        // One handle for header and payload: a file renamed over this path meanwhile cannot mix into the load.
        using var handle = OpenOrThrow(path);
        var header = ReadHeader(handle);
        var identity = FeedFileIdentity.Of(handle, header);
        var slab = new NativeSlab(header.PayloadLength);
        try
        {
            if (header.PayloadLength > 0)
                CopyAndVerify(handle, header, slab, cancellationToken);
            var loaded = new FeedSlab(path, header, identity, slab, Stopwatch.GetElapsedTime(started));
            if (loaded._index?.Problem(header.ItemCount, header.ItemsPerUser) is { } problem)
                throw new FeedFileException($"corrupt payload ({problem})");
            return loaded;
        }
        catch
        {
            slab.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the payload straight into the slab with pread, one checksum block per call, blocks in parallel, and
    /// hashes each block right after reading it, while it is still in cache. Not through a memory map: for a 4 GB file
    /// in the page cache, mapped views cost 5.9-9.1 s of CPU (mostly kernel time faulting the mapped pages in) against
    /// 1.0-2.0 s for pread, and their pages counted in RSS next to the slab (bench/README.md). A file truncated under a
    /// mapping also kills the process with SIGBUS; under pread it is a one-line error and the old data keeps serving.
    /// </summary>
    private static void CopyAndVerify(SafeFileHandle handle, FeedFileHeader header, NativeSlab slab, CancellationToken ct)
    {
        var payloadLength = header.PayloadLength;
        var checksum = new PayloadChecksum(payloadLength);
        var blocks = PayloadChecksum.BlockCount(payloadLength);
        var options = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        try
        {
            Parallel.For(0, blocks, options, block => ReadAndHashBlock(handle, payloadLength, slab, checksum, block));
        }
        catch (AggregateException e) when (e.InnerExceptions is [FeedFileException first, ..])
        {
            ExceptionDispatchInfo.Throw(first);
        }
        if (checksum.Value != header.PayloadChecksum)
            throw new FeedFileException("corrupt payload (checksum mismatch)");
    }

    private static void ReadAndHashBlock(SafeFileHandle handle, ulong payloadLength, NativeSlab slab, PayloadChecksum checksum, int block)
    {
        var start = (ulong)block * PayloadChecksum.BlockSize;
        var target = slab.Slice(start, (int)Math.Min(PayloadChecksum.BlockSize, payloadLength - start));
        var fileOffset = FeedFileHeader.Size + (long)start;
        for (var filled = 0; filled < target.Length;)
        {
            int read;
            try
            {
                read = RandomAccess.Read(handle, target[filled..], fileOffset + filled);
            }
            catch (IOException e)
            {
                throw new FeedFileException($"read failed: {e.Message}");
            }
            if (read == 0)
                throw new FeedFileException("truncated while loading (the file shrank after it was opened)");
            filled += read;
        }
        checksum.AddBlock(block, target);
    }

    /// <summary>Opens a file for reading; a missing or unreadable one is a <see cref="FeedFileException"/> (delta files too).</summary>
    internal static SafeFileHandle OpenOrThrow(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FeedFileException(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message);
        }
    }

    private static FeedFileHeader ReadHeader(SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        Span<byte> bytes = stackalloc byte[FeedFileHeader.Size];
        var read = RandomAccess.Read(handle, bytes, 0);
        return FeedFileHeader.Read(bytes[..read], length);
    }

    public void Dispose() => _slab.Dispose();
}
