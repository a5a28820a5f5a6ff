using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using RecFeed.Feed;

namespace RecFeed.Sync;

/// <summary>The three transfers of a round: send the unsent users, take in the log, reconcile everything.</summary>
public sealed partial class PositionSync
{
    private const int PairBytes = 6;
    /// <summary>Users a reconcile reads a call (64 KiB of positions).</summary>
    private const int ReconcileUsers = 32 * 1024;
    /// <summary>The log's approximate cap: at 1,024 users an entry, minutes of history at any rate worth syncing.</summary>
    private const int LogLength = 10_000;
    private const int PullEntries = 64;
    /// <summary>Log reads a round at most; the rest waits for the next round.</summary>
    private const int PullReads = 16;

    private readonly byte[] _batch = new byte[BatchUsers * PairBytes];
    /// <summary>The keys the cursor and the last reconcile belong to; null when the next round must reconcile.</summary>
    private PositionKeys? _reconciled;
    /// <summary>The id (0-N, see <see cref="MergeScript"/>) of the last log entry taken in.</summary>
    private long _cursor;

    private bool Matches(FeedGeneration g, PositionKeys keys) => PositionKeys.For(address, g.Header) == keys;

    private async Task<long> PushAsync(RespConnection connection, PositionKeys keys, CancellationToken cancellationToken)
    {
        long sent = 0;
        for (var word = 0; ;)
        {
            var (count, next) = service.WithStableGeneration(g => Matches(g, keys) ? Gather(g, word) : (0, 0));
            if (count == 0)
                return sent;
            connection.Command(8);
            connection.Arg("EVALSHA");
            connection.Arg(_mergeSha);
            connection.Arg(2);
            connection.Arg(keys.Values);
            connection.Arg(keys.Log);
            connection.Arg(_batch.AsSpan(0, count * PairBytes));
            connection.Arg(LogLength);
            connection.Arg(_replica);
            try
            {
                await CallAsync(connection, cancellationToken);
            }
            catch
            {
                service.WithStableGeneration(g => Matches(g, keys) ? Remark(g, count) : 0); // the next round sends them again
                throw;
            }
            (sent, word) = (sent + count, next);
        }
    }

    /// <summary>Takes the unsent words from <paramref name="word"/> on into <see cref="_batch"/>, whole words, until it is full.</summary>
    private (int Count, int NextWord) Gather(FeedGeneration g, int word)
    {
        var positions = g.Positions;
        var words = positions.UnsentWords;
        var count = 0;
        while (count <= BatchUsers - 64 && word < words.Length)
        {
            var skip = words[word..].IndexOfAnyExcept(0UL);
            if (skip < 0)
                break;
            word += skip;
            for (var bits = positions.TakeUnsent(word); bits != 0; bits &= bits - 1)
            {
                var user = ((ulong)word << 6) + (ulong)BitOperations.TrailingZeroCount(bits);
                var pair = _batch.AsSpan(count++ * PairBytes, PairBytes);
                BinaryPrimitives.WriteUInt32LittleEndian(pair, (uint)user);
                BinaryPrimitives.WriteUInt16LittleEndian(pair[4..], positions.Read(user));
            }
            word++;
        }
        return (count, word);
    }

    private int Remark(FeedGeneration g, int count)
    {
        for (var i = 0; i < count; i++)
            g.Positions.MarkUnsent(BinaryPrimitives.ReadUInt32LittleEndian(_batch.AsSpan(i * PairBytes)));
        return count;
    }

    /// <summary>Takes in the log entries after the cursor that other replicas appended; a hole in their ids means a reconcile next round.</summary>
    private async Task<long> PullAsync(RespConnection connection, PositionKeys keys, CancellationToken cancellationToken)
    {
        long takenIn = 0;
        for (var read = 0; read < PullReads && _reconciled == keys; read++)
        {
            connection.Command("XREAD", "COUNT", PullEntries.ToString(CultureInfo.InvariantCulture), "STREAMS", keys.Log, EntryId(_cursor));
            var reply = await CallAsync(connection, cancellationToken);
            var entries = reply.IsNull ? [] : reply.Item(0).Item(1).List();
            foreach (var entry in entries)
            {
                var id = ParseEntryId(entry.Item(0));
                if (id != _cursor + 1)
                {
                    _reconciled = null; // trimmed past the cursor, or the log is not ours: compare everything
                    return takenIn;
                }
                _cursor = id;
                var fields = entry.Item(1).List();
                if (FieldText(fields, "r") == _replica || Field(fields, "p") is not { } batch)
                    continue;
                takenIn += service.WithStableGeneration(g => Matches(g, keys) ? TakeIn(g, batch) : 0);
            }
            if (entries.Length < PullEntries)
                break;
        }
        return takenIn;
    }

    private static string? FieldText(RespReply[] fields, string name) => Field(fields, name) is { } b ? System.Text.Encoding.UTF8.GetString(b) : null;

    private static byte[]? Field(RespReply[] fields, string name)
    {
        for (var i = 0; i + 1 < fields.Length; i += 2)
            if (fields[i].AsText() == name)
                return fields[i + 1].Bulk;
        return null;
    }

    private static long TakeIn(FeedGeneration g, byte[] batch)
    {
        long moved = 0;
        for (var at = 0; at + PairBytes <= batch.Length; at += PairBytes)
        {
            var user = BinaryPrimitives.ReadUInt32LittleEndian(batch.AsSpan(at));
            if (user < g.Positions.Length && g.Positions.AdvanceTo(user, Bound(g, BinaryPrimitives.ReadUInt16LittleEndian(batch.AsSpan(at + 4)))))
                moved++;
        }
        return moved;
    }

    /// <summary>A position no further than the row's end: a bad value in Redis never sends a request past it.</summary>
    private static ushort Bound(FeedGeneration g, ushort position) => (ushort)Math.Min(position, g.ItemsPerUser);

    /// <summary>
    /// Sets the cursor to the log's last entry, then compares every position with the stored one: takes in those
    /// ahead, marks unsent those behind (so the push that follows sends them). Entries appended between the two are
    /// both in the values and after the cursor, and taking a position in twice changes nothing.
    /// </summary>
    private async Task<long> ReconcileAsync(RespConnection connection, PositionKeys keys, CancellationToken cancellationToken)
    {
        connection.Command("XREVRANGE", keys.Log, "+", "-", "COUNT", "1");
        var last = (await CallAsync(connection, cancellationToken)).List();
        var cursor = last.Length > 0 ? ParseEntryId(last[0].Item(0)) : 0;
        var users = service.WithStableGeneration(g => Matches(g, keys) ? g.Positions.Length : 0);
        long takenIn = 0;
        for (ulong start = 0; start < users; start += ReconcileUsers)
        {
            var count = (int)Math.Min(ReconcileUsers, users - start);
            connection.Command(4);
            connection.Arg("GETRANGE");
            connection.Arg(keys.Values);
            connection.Arg((long)start * 2);
            connection.Arg(((long)start + count) * 2 - 1);
            var stored = (await CallAsync(connection, cancellationToken)).Bulk ?? [];
            var moved = service.WithStableGeneration(g => Matches(g, keys) ? Compare(g, start, count, stored) : -1);
            if (moved < 0)
                return takenIn; // a reload swapped in another dataset: the next round reconciles that one
            takenIn += moved;
        }
        (_reconciled, _cursor) = (keys, cursor);
        statistics.Reconciled();
        return takenIn;
    }

    private static long Compare(FeedGeneration g, ulong start, int count, byte[] stored)
    {
        var positions = g.Positions;
        long moved = 0;
        for (var i = 0; i < count; i++)
        {
            var user = start + (ulong)i;
            var remote = 2 * i + 1 < stored.Length ? Bound(g, BinaryPrimitives.ReadUInt16BigEndian(stored.AsSpan(2 * i))) : (ushort)0;
            var local = positions.Read(user);
            if (remote > local && positions.AdvanceTo(user, remote))
                moved++;
            else if (local > remote)
                positions.MarkUnsent(user);
        }
        return moved;
    }

    private static string EntryId(long n) => "0-" + n.ToString(CultureInfo.InvariantCulture);

    private static long ParseEntryId(RespReply id) =>
        id.AsText() is ['0', '-', .. var n] && long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RespException($"log entry id '{id.AsText()}' is not one of recfeed's (0-N)");
}
