using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using RecFeed.Feed;
using RecFeed.Format;

namespace RecFeed.State;

/// <summary>
/// Reads and writes progress snapshots (layout in <see cref="StateFileHeader"/>). A snapshot is written through
/// <see cref="AtomicFile"/>, flushed to disk, so a crash at any moment leaves the old snapshot or the new one,
/// never a torn one. The positions are streamed from the live array in chunks while requests keep
/// advancing it: no request waits for a snapshot.
/// </summary>
public static class StateFile
{
    /// <summary>Positions copied, hashed and written per step: 128 KiB, small enough to stay in cache.</summary>
    private const int ChunkUsers = 64 * 1024;

    /// <summary>The default state path for a feeds file: next to it.</summary>
    public static string DefaultPath(string dataPath) => dataPath + ".state";

    /// <summary>Writes the positions of <paramref name="generation"/>; the caller keeps the generation alive meanwhile.</summary>
    public static StateSnapshot Write(string path, FeedGeneration generation)
    {
        var started = Stopwatch.GetTimestamp();
        var offsets = generation.Offsets;
        var header = new StateFileHeader
        {
            DatasetId = generation.DatasetId,
            UserCount = offsets.Length,
            WrittenAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        AtomicFile.Write(path, header.FileLength, flushToDisk: true, handle =>
        {
            var hash = new XxHash3();
            var chunk = new ushort[(int)Math.Min(ChunkUsers, Math.Max(offsets.Length, 1))];
            long position = StateFileHeader.Size;
            for (ulong start = 0; start < offsets.Length; start += (ulong)chunk.Length)
            {
                var count = (int)Math.Min((ulong)chunk.Length, offsets.Length - start);
                var copy = chunk.AsSpan(0, count);
                offsets.Slice(start, count).CopyTo(copy);
                header.UsersWithProgress += (ulong)(count - copy.Count((ushort)0));
                var bytes = MemoryMarshal.AsBytes(copy);
                hash.Append(bytes);
                RandomAccess.Write(handle, bytes, position);
                position += bytes.Length;
            }
            header.PositionsChecksum = hash.GetCurrentHashAsUInt64();
            Span<byte> headerBytes = stackalloc byte[StateFileHeader.Size];
            header.WriteTo(headerBytes);
            RandomAccess.Write(handle, headerBytes, 0);
            return true;
        });
        return new StateSnapshot(header.DatasetId, header.UsersWithProgress, header.FileLength, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Loads the positions in <paramref name="path"/> into <paramref name="generation"/> before it serves. A snapshot
    /// of another dataset is left alone; a damaged one is renamed aside (never deleted) and the positions stay zero.
    /// </summary>
    public static StateRestore Restore(string path, FeedGeneration generation)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new StateRestore(RestoreOutcome.Missing, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StateRestore(RestoreOutcome.Corrupt, 0, null, $"unreadable: {e.Message}", MoveAside(path));
        }

        string reason;
        using (handle)
        {
            try
            {
                var length = RandomAccess.GetLength(handle);
                Span<byte> bytes = stackalloc byte[StateFileHeader.Size];
                var header = StateFileHeader.Read(bytes[..RandomAccess.Read(handle, bytes, 0)], length);
                var written = DateTimeOffset.FromUnixTimeMilliseconds(header.WrittenAtUnixMs);
                if (header.DatasetId != generation.DatasetId || header.UserCount != generation.Offsets.Length)
                    return new StateRestore(RestoreOutcome.Mismatch, 0, written,
                        $"it belongs to dataset {header.DatasetId:x16} with {header.UserCount} users, the feeds file is dataset {generation.DatasetId:x16} with {generation.Offsets.Length} users");
                LoadPositions(handle, header, generation);
                return new StateRestore(RestoreOutcome.Restored, header.UsersWithProgress, written);
            }
            catch (FeedFileException e)
            {
                reason = e.Message;
            }
            catch (IOException e)
            {
                reason = $"unreadable: {e.Message}";
            }
        }
        return new StateRestore(RestoreOutcome.Corrupt, 0, null, reason, MoveAside(path));
    }

    private static void LoadPositions(SafeFileHandle handle, StateFileHeader header, FeedGeneration generation)
    {
        var offsets = generation.Offsets;
        var rowLength = generation.Header.ItemsPerUser;
        var hash = new XxHash3();
        ulong withProgress = 0;
        try
        {
            for (ulong start = 0; start < offsets.Length; start += ChunkUsers)
            {
                var target = offsets.Slice(start, (int)Math.Min(ChunkUsers, offsets.Length - start));
                var bytes = MemoryMarshal.AsBytes(target);
                if (RandomAccess.Read(handle, bytes, StateFileHeader.Size + (long)start * sizeof(ushort)) != bytes.Length)
                    throw new FeedFileException("truncated while reading positions");
                hash.Append(bytes);
                foreach (var position in target)
                {
                    if (position > rowLength)
                        throw new FeedFileException($"corrupt positions (a position of {position} in rows of {rowLength} items)");
                    if (position != 0)
                        withProgress++;
                }
            }
            if (hash.GetCurrentHashAsUInt64() != header.PositionsChecksum)
                throw new FeedFileException("corrupt positions (checksum mismatch)");
            if (withProgress != header.UsersWithProgress)
                throw new FeedFileException("corrupt header (users with progress disagrees with the positions)");
        }
        catch
        {
            for (ulong start = 0; start < offsets.Length; start += ChunkUsers)
                offsets.Slice(start, (int)Math.Min(ChunkUsers, offsets.Length - start)).Clear();
            throw;
        }
    }

    /// <summary>Renames a damaged snapshot to <c>NAME.corrupt-TIMESTAMP</c> next to it, so an operator can look at it.</summary>
    private static string? MoveAside(string path)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var target = attempt == 0 ? $"{path}.corrupt-{stamp}" : $"{path}.corrupt-{stamp}-{attempt}";
            try
            {
                File.Move(path, target, overwrite: false);
                return target;
            }
            catch (IOException) when (File.Exists(target))
            {
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
        return null;
    }
}
