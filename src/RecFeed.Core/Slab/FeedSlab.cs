using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;
using RecFeed.Format;

namespace RecFeed.Slab;

/// <summary>
/// A verified feeds file held in memory: the payload (fallback list and user × items matrix) copied verbatim into
/// one <see cref="NativeSlab"/>, so rows are read with plain pointer arithmetic and no managed object per user.
/// </summary>
public sealed unsafe class FeedSlab : IDisposable
{
    /// <summary>Mapped views are this large (a multiple of the checksum block): mapped pages count in RSS, so the
    /// loader maps, copies and unmaps one chunk at a time and never holds the file and the slab at once. One block,
    /// not more: each loader thread holds one view, and 64 MB views put peak RSS 120 MB above the slab (bench).</summary>
    private const int ChunkSize = PayloadChecksum.BlockSize;

    private readonly NativeSlab _slab;
    private readonly uint* _matrix;

    private FeedSlab(FeedFileHeader header, NativeSlab slab, TimeSpan loadTime)
    {
        Header = header;
        _slab = slab;
        _matrix = (uint*)(slab.Pointer + (header.MatrixOffset - FeedFileHeader.Size));
        LoadTime = loadTime;
    }

    public FeedFileHeader Header { get; }
    public ulong UserCount => Header.UserCount;
    public int ItemsPerUser => (int)Header.ItemsPerUser;
    public ulong Bytes => _slab.Length;
    public TimeSpan LoadTime { get; }

    public ReadOnlySpan<uint> Fallback => new(_slab.Pointer, (int)Header.FallbackCount);

    /// <summary>The stored row of a local user index, padding zeros included. The caller checks the index.</summary>
    public ReadOnlySpan<uint> Row(ulong user)
    {
        Debug.Assert(user < UserCount);
        return new ReadOnlySpan<uint>(_matrix + user * Header.ItemsPerUser, (int)Header.ItemsPerUser);
    }

    /// <summary>Reads just the header of a feeds file, checked against the file's length.</summary>
    public static FeedFileHeader ReadHeader(string path)
    {
        using var handle = OpenOrThrow(path);
        return ReadHeader(handle);
    }

    /// <summary>Maps the file, copies its payload into a new slab and verifies the checksum on the way.</summary>
    public static FeedSlab Load(string path, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        // One handle for header and mapping: a file renamed over this path meanwhile cannot mix into the load.
        using var handle = OpenOrThrow(path);
        var header = ReadHeader(handle);
        var slab = new NativeSlab(header.PayloadLength);
        try
        {
            if (header.PayloadLength > 0)
                CopyAndVerify(handle, header, slab, cancellationToken);
            return new FeedSlab(header, slab, Stopwatch.GetElapsedTime(started));
        }
        catch
        {
            slab.Dispose();
            throw;
        }
    }

    private static void CopyAndVerify(SafeFileHandle handle, FeedFileHeader header, NativeSlab slab, CancellationToken ct)
    {
        var payloadLength = header.PayloadLength;
        var checksum = new PayloadChecksum(payloadLength);
        var chunks = (int)((payloadLength + ChunkSize - 1) / ChunkSize);
        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        using var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        var options = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, chunks, options, chunk =>
        {
            var start = (ulong)chunk * ChunkSize;
            var length = (int)Math.Min(ChunkSize, payloadLength - start);
            using var view = file.CreateViewAccessor(FeedFileHeader.Size + (long)start, length, MemoryMappedFileAccess.Read);
            byte* mapped = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref mapped);
            try
            {
                var source = new ReadOnlySpan<byte>(mapped + view.PointerOffset, length);
                var target = slab.Slice(start, length);
                for (var offset = 0; offset < length; offset += PayloadChecksum.BlockSize)
                {
                    var block = Math.Min(PayloadChecksum.BlockSize, length - offset);
                    // Copy, then hash from the copy while it is still in cache: one pass over the file.
                    source.Slice(offset, block).CopyTo(target[offset..]);
                    checksum.AddBlock((int)((start + (ulong)offset) / PayloadChecksum.BlockSize), target.Slice(offset, block));
                }
            }
            finally
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
            }
        });
        if (checksum.Value != header.PayloadChecksum)
            throw new FeedFileException("corrupt payload (checksum mismatch)");
    }

    private static SafeFileHandle OpenOrThrow(string path)
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
