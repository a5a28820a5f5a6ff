using System.IO.Hashing;
using System.Runtime.InteropServices;
using RecFeed.Feed;
using RecFeed.Positions;
using RecFeed.Slab;
using RecFeed.State;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.State;

/// <summary>
/// The state file as a base plus a journal of changed chunks: a snapshot writes what changed, restore replays it
/// exactly, a torn last record is dropped and everything before it kept, other damage is detected.
/// </summary>
public sealed class StateJournalTests() : StateFileTest(Users, ItemsPerUser)
{
    private const int Users = 1_000; // 16 chunks, the last one partial
    private const int ItemsPerUser = 60;

    private static void Claim(FeedService service, int user, int size) => service.Serve((uint)user, new uint[size], out _);

    private static ushort[] Positions(FeedService service) =>
        Enumerable.Range(0, Users).Select(u => service.Current.Positions.Read((ulong)u)).ToArray();

    private ushort[] Restored(out StateRestore restore) => Restored(Positions, out restore);

    [Fact]
    public void A_snapshot_writes_only_the_chunks_that_changed()
    {
        using var service = Service();
        using var keeper = new StateKeeper(service, StatePath, new SnapshotStatistics());
        Claim(service, 5, 2);
        var first = keeper.WriteIfChanged()!.Value;
        Assert.Equal(StateFileHeader.Size + Users * 2 * sizeof(ushort), first.Bytes); // this process's first: a base

        Claim(service, 7, 1); // the same chunk as user 5
        Claim(service, 999, 3); // the last, partial chunk
        var second = keeper.WriteIfChanged()!.Value;
        Assert.Equal(JournalRecordHeader.Size + 2 * JournalRecordHeader.ChunkBytes, second.Bytes);
        Assert.Equal(3UL, second.UsersPastStart);
        Assert.Equal(first.Bytes + second.Bytes, new FileInfo(StatePath).Length);
        Assert.Null(keeper.WriteIfChanged());
    }

    [Theory]
    [InlineData(null)] // the default bound: everything after the first snapshot is journal
    [InlineData(2_000L)] // compacts every few snapshots
    public void Restore_equals_the_live_positions_after_many_random_advances_and_snapshots(long? journalLimit)
    {
        var random = new Random(journalLimit is null ? 1 : 2);
        using var service = Service();
        var lengths = new List<long>();
        using (var keeper = new StateKeeper(service, StatePath, new SnapshotStatistics(), journalLimit))
        {
            for (var round = 0; round < 60; round++)
            {
                for (var i = random.Next(1, 40); i > 0; i--)
                    Claim(service, random.Next(Users), random.Next(1, 3));
                keeper.WriteIfChanged();
                lengths.Add(new FileInfo(StatePath).Length);
            }
        }
        var live = Positions(service);

        Assert.Equal(live, Restored(out var restore));
        Assert.Equal(RestoreOutcome.Restored, restore.Outcome);
        Assert.Null(restore.Reason);
        Assert.Equal((ulong)live.Count(p => p != 0), restore.UsersPastStart);
        const long baseLength = StateFileHeader.Size + Users * 2 * sizeof(ushort);
        if (journalLimit is { } limit)
        {
            Assert.All(lengths, length => Assert.InRange(length, baseLength, baseLength + limit));
            Assert.Contains(lengths.Skip(1), length => length == baseLength); // compacted at least once after the first
        }
        else
        {
            Assert.Equal(59, restore.Records);
        }
    }

    /// <summary>A base and two records; the positions as of each snapshot, and where the last record starts.</summary>
    private (ushort[] Base, ushort[] First, ushort[] Second, long LastRecord, long FirstRecord) ThreeSnapshots()
    {
        using var service = Service();
        using var keeper = new StateKeeper(service, StatePath, new SnapshotStatistics());
        Claim(service, 1, 2);
        Claim(service, 500, 1);
        keeper.WriteIfChanged();
        var @base = Positions(service);
        var firstRecord = new FileInfo(StatePath).Length;
        Claim(service, 1, 1);
        Claim(service, 130, 4);
        keeper.WriteIfChanged();
        var first = Positions(service);
        var lastRecord = new FileInfo(StatePath).Length;
        Claim(service, 2, 1);
        Claim(service, 700, 2);
        Claim(service, 999, 5);
        keeper.WriteIfChanged();
        return (@base, first, Positions(service), lastRecord, firstRecord);
    }

    [Fact]
    public void A_journal_cut_at_any_byte_of_its_last_record_restores_the_snapshot_before_it_exactly()
    {
        var (_, first, second, lastRecord, _) = ThreeSnapshots();
        var bytes = File.ReadAllBytes(StatePath);
        Assert.Equal(second, Restored(out _));

        for (var cut = lastRecord; cut < bytes.Length; cut++)
        {
            File.WriteAllBytes(StatePath, bytes[..(int)cut]);
            var positions = Restored(out var restore);
            Assert.Equal(RestoreOutcome.Restored, restore.Outcome);
            Assert.Equal(first, positions);
            Assert.Equal(1, restore.Records);
            if (cut == lastRecord)
                Assert.Null(restore.Reason);
            else
                Assert.Contains($"dropped the last {cut - lastRecord} bytes of the journal (record 2", restore.Reason);
        }
    }

    [Fact]
    public void A_flipped_byte_anywhere_in_an_earlier_record_is_detected_and_nothing_from_it_on_is_used()
    {
        var (@base, _, _, lastRecord, firstRecord) = ThreeSnapshots();
        var bytes = File.ReadAllBytes(StatePath);
        for (var at = firstRecord; at < lastRecord; at++)
        {
            var damaged = bytes.ToArray();
            damaged[at] ^= 0x10;
            File.WriteAllBytes(StatePath, damaged);
            var positions = Restored(out var restore);
            Assert.Equal(RestoreOutcome.Restored, restore.Outcome);
            Assert.Equal(@base, positions);
            Assert.Contains("record 1 at offset", restore.Reason);
            if (at >= firstRecord + JournalRecordHeader.Size)
                Assert.Contains("damage, not a torn append", restore.Reason);
        }
    }

    [Fact]
    public void A_record_that_verifies_but_holds_a_position_past_the_rows_end_makes_the_file_corrupt()
    {
        using (var service = Service())
        using (var keeper = new StateKeeper(service, StatePath, new SnapshotStatistics()))
        {
            Claim(service, 3, 1);
            keeper.WriteIfChanged();
        }
        var header = MemoryMarshal.Read<StateFileHeader>(File.ReadAllBytes(StatePath));
        var body = new byte[JournalRecordHeader.ChunkBytes]; // chunk 0
        MemoryMarshal.Cast<byte, ushort>(body.AsSpan(sizeof(uint)))[3] = ItemsPerUser + 1;
        using (var file = new FileStream(StatePath, FileMode.Append))
            file.Write(FirstRecord(header.HeaderChecksum, body, usersPastStart: 1));

        var positions = Restored(out var restore);
        Assert.Equal(RestoreOutcome.Corrupt, restore.Outcome);
        Assert.Contains("position of 61 in rows of 60", restore.Reason);
        Assert.All(positions, p => Assert.Equal(0, p));
        Assert.False(File.Exists(StatePath));
    }

    [Fact]
    public void A_reload_to_a_new_dataset_starts_a_new_base_for_it()
    {
        var other = Dir.File("other.bin");
        TwoDatasets.Write(other, dataset: 2, users: Users, itemsPerUser: ItemsPerUser);
        using var service = Service();
        using var keeper = new StateKeeper(service, StatePath, new SnapshotStatistics());
        Claim(service, 1, 1);
        keeper.WriteIfChanged();
        Claim(service, 2, 1);
        keeper.WriteIfChanged(); // a record after the base of dataset 1

        Assert.False(service.Swap(FeedSlab.Load(other)));
        var snapshot = keeper.WriteIfChanged()!.Value;

        Assert.Equal(service.Current.DatasetId, snapshot.DatasetId);
        Assert.Equal(StateFileHeader.Size + Users * 2 * sizeof(ushort), new FileInfo(StatePath).Length);
        var header = MemoryMarshal.Read<StateFileHeader>(File.ReadAllBytes(StatePath));
        Assert.Equal(service.Current.DatasetId, header.DatasetId);
        Claim(service, 3, 2);
        Assert.Equal(JournalRecordHeader.Size + JournalRecordHeader.ChunkBytes, keeper.WriteIfChanged()!.Value.Bytes);
    }

    [Fact]
    public void The_change_map_has_one_byte_per_chunk()
    {
        using var table = new PositionTable(PositionTable.ChunkUsers * 3 + 1);
        Assert.Equal(4, table.ChunkCount);
        Assert.True(table.TryAdvance(PositionTable.ChunkUsers * 3, 0, 1));
        Assert.Equal([0, 0, 0, 1], table.ChangedChunks.ToArray());
        table.TakeChanged([3]);
        Assert.Equal([0, 0, 0, 0], table.ChangedChunks.ToArray());
    }
}
