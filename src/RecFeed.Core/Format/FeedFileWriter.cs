using System.IO.Hashing;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RecFeed.Format;

/// <summary>
/// Writes a feeds file block by block on every core, hashing each block as it is produced, through
/// <see cref="AtomicFile"/>: a reader never sees half a file.
/// </summary>
public static class FeedFileWriter
{
    /// <summary>Writes <paramref name="layout"/> filled from <paramref name="source"/> to <paramref name="path"/>.</summary>
    /// <param name="datasetId">0 derives the id from the content, so the same content always has the same id.</param>
    /// <param name="progress">Receives the number of payload bytes written so far.</param>
    /// <param name="flushToDisk">fsync, so the file also survives power loss. Without it a crash can still only
    /// leave the old file or a file whose checksum fails to verify, never a silently wrong one.</param>
    public static FeedFileHeader Write(string path, FeedLayout layout, IFeedSource source, ulong datasetId = 0,
        Action<long>? progress = null, bool flushToDisk = true, CancellationToken cancellationToken = default) =>
        AtomicFile.Write(path, (long)layout.Header.FileLength, flushToDisk, handle =>
        {
            var header = layout.Header;
            header.PayloadChecksum = WritePayload(handle, layout, source, progress, cancellationToken);
            header.DatasetId = datasetId != 0 ? datasetId : ContentDatasetId(header);
            Span<byte> bytes = stackalloc byte[FeedFileHeader.Size];
            header.WriteTo(bytes);
            RandomAccess.Write(handle, bytes, 0);
            return header;
        });

    private static ulong WritePayload(SafeFileHandle file, FeedLayout layout, IFeedSource source, Action<long>? progress, CancellationToken ct)
    {
        var payloadLength = layout.Header.PayloadLength;
        var checksum = new PayloadChecksum(payloadLength);
        var blocks = PayloadChecksum.BlockCount(payloadLength);
        long written = 0;
        var options = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        try
        {
            Parallel.For(0, blocks, options,
                () => new PayloadBlockBuilder(layout, source),
                (block, _, builder) =>
                {
                    var bytes = builder.Build(block);
                    checksum.AddBlock(block, bytes);
                    RandomAccess.Write(file, bytes, FeedFileHeader.Size + (long)block * PayloadChecksum.BlockSize);
                    progress?.Invoke(Interlocked.Add(ref written, bytes.Length));
                    return builder;
                },
                _ => { });
        }
        catch (AggregateException e)
        {
            // A disk error (ENOSPC, EIO) on any block is the error callers handle; the wrapper only says a worker hit it.
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return checksum.Value;
    }

    /// <summary>The id of a file whose writer did not pin one: a hash of the header, payload checksum included.</summary>
    public static ulong ContentDatasetId(FeedFileHeader header)
    {
        header.DatasetId = 0;
        header.HeaderChecksum = 0;
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<FeedFileHeader>(ref header)));
    }
}
