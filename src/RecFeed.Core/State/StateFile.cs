using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Positions;

namespace RecFeed.State;

/// <summary>
/// Reads the state file (layout in <see cref="StateFileHeader"/> and <see cref="JournalRecordHeader"/>; written by
/// <see cref="StateWriter"/>): the base, then every journal record in order. A record that does not verify ends the
/// journal: it and what follows are dropped and the positions are those of the record before, which is what a crash
/// during an append leaves. Anything that verifies but does not fit the feeds file makes the whole file corrupt.
/// </summary>
public static class StateFile
{
    /// <summary>Positions read, hashed and checked per step of the base: 128 KiB, small enough to stay in cache.</summary>
    private const int StepUsers = 64 * 1024;

    /// <summary>The default state path for a feeds file: next to it.</summary>
    public static string DefaultPath(string dataPath) => dataPath + ".state";

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
                if (header.DatasetId != generation.DatasetId || header.UserCount != generation.Positions.Length)
                    return new StateRestore(RestoreOutcome.Mismatch, 0, DateTimeOffset.FromUnixTimeMilliseconds(header.WrittenAtUnixMs),
                        $"it belongs to dataset {header.DatasetId:x16} with {header.UserCount} users, " +
                        $"the feeds file is dataset {generation.DatasetId:x16} with {generation.Positions.Length} users");
                try
                {
                    LoadPositions(handle, header, generation);
                    var journal = ReplayJournal(handle, length, header, generation);
                    return new StateRestore(RestoreOutcome.Restored, journal.UsersPastStart,
                        DateTimeOffset.FromUnixTimeMilliseconds(journal.WrittenAtUnixMs), journal.Dropped, Records: journal.Records);
                }
                catch
                {
                    Clear(generation.Positions);
                    throw;
                }
            }
            catch (StateFileException e)
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
        var table = generation.Positions;
        var hash = new XxHash3();
        ulong usersPastStart = 0;
        for (ulong start = 0; start < table.Length; start += StepUsers)
        {
            var target = table.Slice(start, (int)Math.Min(StepUsers, table.Length - start));
            var bytes = MemoryMarshal.AsBytes(target);
            if (RandomAccess.Read(handle, bytes, StateFileHeader.Size + (long)start * sizeof(ushort)) != bytes.Length)
                throw new StateFileException("truncated while reading positions");
            hash.Append(bytes);
            usersPastStart += CheckPositions(target, generation.ItemsPerUser);
        }
        // Cursors follow all positions (version 3); any value is sound, a picker reduces one past its cycle.
        var cursorsAt = StateFileHeader.Size + (long)table.Length * sizeof(ushort);
        for (ulong start = 0; header.HasCursors && start < table.Length; start += StepUsers)
        {
            var bytes = MemoryMarshal.AsBytes(table.CursorSlice(start, (int)Math.Min(StepUsers, table.Length - start)));
            if (RandomAccess.Read(handle, bytes, cursorsAt + (long)start * sizeof(ushort)) != bytes.Length)
                throw new StateFileException("truncated while reading fallback cursors");
            hash.Append(bytes);
        }
        if (hash.GetCurrentHashAsUInt64() != header.PositionsChecksum)
            throw new StateFileException("corrupt positions (checksum mismatch)");
        if (usersPastStart != header.UsersPastStart)
            throw new StateFileException("corrupt header (users past the start disagrees with the positions)");
    }

    /// <summary>How many of <paramref name="positions"/> are not 0; throws when one is past the row's end.</summary>
    private static ulong CheckPositions(ReadOnlySpan<ushort> positions, int rowLength)
    {
        ulong usersPastStart = 0;
        foreach (var position in positions)
        {
            if (position > rowLength)
                throw new StateFileException($"corrupt positions (a position of {position} in rows of {rowLength} items)");
            if (position != 0)
                usersPastStart++;
        }
        return usersPastStart;
    }

    private readonly record struct Journal(ulong UsersPastStart, long WrittenAtUnixMs, int Records, string? Dropped);

    /// <summary>Applies the records after the base in order, up to the first one that does not verify.</summary>
    private static Journal ReplayJournal(SafeFileHandle handle, long length, StateFileHeader @base, FeedGeneration generation)
    {
        var table = generation.Positions;
        var state = new Journal(@base.UsersPastStart, @base.WrittenAtUnixMs, 0, null);
        Span<byte> headerBytes = stackalloc byte[JournalRecordHeader.Size];
        byte[] body = [];
        for (var offset = @base.BaseLength; offset < length;)
        {
            var sequence = (ulong)state.Records + 1;
            var room = length - offset - JournalRecordHeader.Size;
            var read = headerBytes[..RandomAccess.Read(handle, headerBytes, offset)];
            var header = JournalRecordHeader.TryRead(read, @base.HeaderChecksum, room, table.ChunkCount, @base.ChunkBytes);
            if (header is not { } record || record.Sequence != sequence)
                return state with { Dropped = Dropped(length - offset, offset, sequence, "its header does not verify", state) };
            var bodyLength = (int)record.BodyLength(@base.ChunkBytes);
            if (body.Length < bodyLength)
                body = GC.AllocateUninitializedArray<byte>(bodyLength);
            var bodyBytes = body.AsSpan(0, bodyLength);
            if (RandomAccess.Read(handle, bodyBytes, offset + JournalRecordHeader.Size) != bodyBytes.Length
                || XxHash3.HashToUInt64(bodyBytes, (long)@base.HeaderChecksum) != record.BodyChecksum)
            {
                var after = length - offset - JournalRecordHeader.Size - bodyLength;
                return state with
                {
                    Dropped = Dropped(length - offset, offset, sequence, after > 0
                        ? $"its body does not verify and {after} bytes follow it: damage, not a torn append"
                        : "its body does not verify", state),
                };
            }
            var usersPastStart = Apply(bodyBytes, (int)record.ChunkCount, @base.HasCursors, table, generation.ItemsPerUser, state.UsersPastStart, sequence);
            if (usersPastStart != record.UsersPastStart)
                throw new StateFileException($"corrupt journal record {sequence} (users past the start disagrees with the positions)");
            state = new Journal(usersPastStart, record.WrittenAtUnixMs, state.Records + 1, null);
            offset += JournalRecordHeader.Size + bodyLength;
        }
        return state;
    }

    /// <summary>Writes a verified record's chunks into <paramref name="table"/>; returns the users past the start after it.</summary>
    private static ulong Apply(ReadOnlySpan<byte> body, int chunks, bool hasCursors, PositionTable table, int rowLength, ulong usersPastStart, ulong sequence)
    {
        var positions = MemoryMarshal.Cast<byte, ushort>(body[(chunks * sizeof(uint))..]);
        var cursors = hasCursors ? positions[(chunks * PositionTable.ChunkUsers)..] : default;
        var previous = -1L;
        for (var i = 0; i < chunks; i++)
        {
            var chunk = BinaryPrimitives.ReadUInt32LittleEndian(body[(i * sizeof(uint))..]);
            if (chunk <= previous || chunk >= table.ChunkCount)
                throw new StateFileException($"corrupt journal record {sequence} (chunk {chunk} out of order or past the last user)");
            previous = chunk;
            var source = positions.Slice(i * PositionTable.ChunkUsers, PositionTable.ChunkUsers);
            var target = table.Chunk((int)chunk);
            var cursorSource = hasCursors ? cursors.Slice(i * PositionTable.ChunkUsers, PositionTable.ChunkUsers) : default;
            if (source[target.Length..].ContainsAnyExcept((ushort)0) || (hasCursors && cursorSource[target.Length..].ContainsAnyExcept((ushort)0)))
                throw new StateFileException($"corrupt journal record {sequence} (a position or cursor past the last user)");
            usersPastStart = usersPastStart - CheckPositions(target, rowLength) + CheckPositions(source[..target.Length], rowLength);
            source[..target.Length].CopyTo(target);
            if (hasCursors)
                cursorSource[..target.Length].CopyTo(table.CursorChunk((int)chunk));
        }
        return usersPastStart;
    }

    private static string Dropped(long bytes, long offset, ulong sequence, string why, Journal kept) =>
        $"dropped the last {bytes} bytes of the journal (record {sequence} at offset {offset}: {why}); " +
        $"positions are those of {(kept.Records == 0 ? "the base" : $"record {kept.Records}")} " +
        $"of {DateTimeOffset.FromUnixTimeMilliseconds(kept.WrittenAtUnixMs):u}";

    private static void Clear(PositionTable table)
    {
        for (ulong start = 0; start < table.Length; start += StepUsers)
        {
            var count = (int)Math.Min(StepUsers, table.Length - start);
            table.Slice(start, count).Clear();
            table.CursorSlice(start, count).Clear();
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
