using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Positions;

namespace RecFeed.State;

/// <summary>
/// The state file as this process last wrote it, for one <see cref="PositionTable"/>, always in the current version.
/// <see cref="Compact"/> writes a new base through <see cref="AtomicFile"/> (all positions and cursors, O(users));
/// <see cref="Append"/> then adds one journal record per snapshot holding only the chunks that changed (O(changes)),
/// fsynced. An append only writes past the end the last one left, so a crash can tear nothing but the record being
/// written, which restore detects and drops. The journal is bounded: once the next record would take it past <see cref="Limit"/>, the caller compacts instead.
/// </summary>
internal sealed class StateWriter
{
    /// <summary>Chunks copied, hashed and written per step of a compaction: 64K users, 128 KiB, small enough to stay in cache.</summary>
    private const int CompactionStepChunks = 1024;

    /// <summary>The journal bound when none is given: the size of the base, at least 1 MiB. A restore reads at most
    /// twice the base, and the full rewrite is amortised over at least as many bytes of records.</summary>
    private const long MinLimit = 1 << 20;

    private readonly string _path;
    private readonly PositionTable _positions;
    private readonly ulong _seed;
    private readonly long _baseLength;

    /// <summary>Users past the start per chunk, as last written; kept so a record can carry the total without a full scan.</summary>
    private readonly byte[] _chunkPastStart;

    private ulong _usersPastStart;
    private ulong _sequence;
    private long _end;

    private StateWriter(string path, PositionTable positions, StateFileHeader header, byte[] chunkPastStart, long? limit)
    {
        _path = path;
        _positions = positions;
        _seed = header.HeaderChecksum;
        _baseLength = header.BaseLength;
        _end = header.BaseLength;
        _chunkPastStart = chunkPastStart;
        _usersPastStart = header.UsersPastStart;
        DatasetId = header.DatasetId;
        Limit = limit ?? Math.Max(MinLimit, (long)positions.Bytes);
    }

    public ulong DatasetId { get; }

    /// <summary>How many bytes of records may follow the base before the next snapshot compacts.</summary>
    public long Limit { get; }

    /// <summary>Whether a record of <paramref name="chunks"/> chunks of <paramref name="positions"/> can follow what this writer wrote.</summary>
    public bool CanAppend(PositionTable positions, int chunks) =>
        positions == _positions && chunks <= JournalRecordHeader.MaxChunks
        && _end - _baseLength + JournalRecordHeader.Size + (long)chunks * JournalRecordHeader.ChunkBytes <= Limit;

    /// <summary>Writes every position of <paramref name="generation"/> as a new base with an empty journal.</summary>
    public static StateWriter Compact(string path, FeedGeneration generation, long? limit, out StateSnapshot snapshot)
    {
        var started = Stopwatch.GetTimestamp();
        var positions = generation.Positions;
        positions.TakeAllChanged();
        var chunkPastStart = new byte[positions.ChunkCount];
        var header = new StateFileHeader
        {
            FormatVersion = StateFileHeader.CurrentVersion,
            DatasetId = generation.DatasetId,
            UserCount = positions.Length,
            WrittenAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        AtomicFile.Write(path, header.BaseLength, flushToDisk: true, handle =>
        {
            var hash = new XxHash3();
            var copy = new ushort[(int)Math.Min(CompactionStepChunks * PositionTable.ChunkUsers, Math.Max(positions.Length, 1))];
            for (var first = 0; first < positions.ChunkCount; first += CompactionStepChunks)
            {
                var start = (ulong)first * PositionTable.ChunkUsers;
                var step = copy.AsSpan(0, (int)Math.Min((ulong)copy.Length, positions.Length - start));
                positions.Slice(start, step.Length).CopyTo(step);
                for (var chunk = first; chunk < Math.Min(first + CompactionStepChunks, positions.ChunkCount); chunk++)
                {
                    var users = step.Slice((chunk - first) * PositionTable.ChunkUsers, positions.ChunkLength(chunk));
                    chunkPastStart[chunk] = (byte)(users.Length - users.Count((ushort)0));
                    header.UsersPastStart += chunkPastStart[chunk];
                }
                var bytes = MemoryMarshal.AsBytes(step);
                hash.Append(bytes);
                RandomAccess.Write(handle, bytes, StateFileHeader.Size + (long)start * sizeof(ushort));
            }
            var cursorsAt = StateFileHeader.Size + (long)positions.Length * sizeof(ushort);
            for (ulong start = 0; start < positions.Length; start += (ulong)copy.Length)
            {
                var step = copy.AsSpan(0, (int)Math.Min((ulong)copy.Length, positions.Length - start));
                positions.CursorSlice(start, step.Length).CopyTo(step);
                var bytes = MemoryMarshal.AsBytes(step);
                hash.Append(bytes);
                RandomAccess.Write(handle, bytes, cursorsAt + (long)start * sizeof(ushort));
            }
            header.PositionsChecksum = hash.GetCurrentHashAsUInt64();
            Span<byte> headerBytes = stackalloc byte[StateFileHeader.Size];
            header.HeaderChecksum = header.WriteTo(headerBytes); // the seed of the records that follow
            RandomAccess.Write(handle, headerBytes, 0);
            return true;
        });
        snapshot = new StateSnapshot(header.DatasetId, header.UsersPastStart, header.BaseLength, Stopwatch.GetElapsedTime(started));
        return new StateWriter(path, positions, header, chunkPastStart, limit);
    }

    /// <summary>Appends one record of <paramref name="chunks"/> (ascending; <see cref="CanAppend"/> said yes) and fsyncs it.
    /// After a failure this writer must not be used again: a part of the record may be on disk.</summary>
    public StateSnapshot Append(ReadOnlySpan<int> chunks)
    {
        var started = Stopwatch.GetTimestamp();
        _positions.TakeChanged(chunks);
        var length = JournalRecordHeader.Size + chunks.Length * JournalRecordHeader.ChunkBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var record = buffer.AsSpan(0, length);
            var body = record[JournalRecordHeader.Size..];
            body.Clear(); // the last chunk's padding
            var indices = body[..(chunks.Length * sizeof(uint))];
            var positions = MemoryMarshal.Cast<byte, ushort>(body[indices.Length..]);
            var cursors = positions[(chunks.Length * PositionTable.ChunkUsers)..];
            for (var i = 0; i < chunks.Length; i++)
            {
                var chunk = chunks[i];
                BinaryPrimitives.WriteUInt32LittleEndian(indices[(i * sizeof(uint))..], (uint)chunk);
                var copy = positions.Slice(i * PositionTable.ChunkUsers, _positions.ChunkLength(chunk));
                _positions.Chunk(chunk).CopyTo(copy);
                _positions.CursorChunk(chunk).CopyTo(cursors.Slice(i * PositionTable.ChunkUsers, copy.Length));
                var pastStart = (byte)(copy.Length - copy.Count((ushort)0));
                _usersPastStart = _usersPastStart - _chunkPastStart[chunk] + pastStart;
                _chunkPastStart[chunk] = pastStart;
            }
            var header = new JournalRecordHeader
            {
                Sequence = _sequence + 1,
                ChunkCount = (ulong)chunks.Length,
                UsersPastStart = _usersPastStart,
                WrittenAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                BodyChecksum = XxHash3.HashToUInt64(body, (long)_seed),
            };
            header.WriteTo(record, _seed);
            using (var handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Write, FileShare.Read))
            {
                if (RandomAccess.GetLength(handle) != _end)
                    throw new IOException(
                        $"{_path} changed outside recfeed ({RandomAccess.GetLength(handle)} bytes, {_end} written); the next snapshot rewrites it whole");
                RandomAccess.Write(handle, record, _end);
                RandomAccess.FlushToDisk(handle);
            }
            _end += length;
            _sequence++;
            return new StateSnapshot(DatasetId, _usersPastStart, length, Stopwatch.GetElapsedTime(started));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
