using System.IO.Hashing;
using System.Runtime.InteropServices;
using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.State;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.State;

/// <summary>
/// Fallback cursors live beside the read positions: a base and its journal carry both (version 3), a restore and a
/// reload of the same dataset keep both, a new dataset resets both, and files of versions 1 and 2 restore their
/// positions with every cursor at 0.
/// </summary>
public sealed class StateCursorTests() : StateFileTest(Users, ItemsPerUser)
{
    private const int Users = 200; // 4 chunks, the last one partial
    private const int ItemsPerUser = 3;

    /// <summary>Serves <paramref name="user"/> past their list: the fallback moves their cursor.</summary>
    private static void Exhaust(FeedService service, int user, int size) => service.Serve((uint)user, new uint[ItemsPerUser + size], out _);

    private static (ushort[] Positions, ushort[] Cursors) State(FeedService service) =>
        ([.. Enumerable.Range(0, Users).Select(u => service.Current.Positions.Read((ulong)u))],
         [.. Enumerable.Range(0, Users).Select(u => service.Current.Positions.ReadCursor((ulong)u))]);

    private (ushort[] Positions, ushort[] Cursors) Restored(out StateRestore restore) => Restored(State, out restore);

    [Fact]
    public void A_base_and_its_journal_restore_every_cursor()
    {
        using var service = Service();
        (ushort[], ushort[]) live;
        using (var keeper = new StateKeeper(service, StatePath, new SnapshotStatistics()))
        {
            Exhaust(service, 1, 5);
            Exhaust(service, 199, 7);
            Assert.Equal(StateFileHeader.Size + Users * 2 * sizeof(ushort), keeper.WriteIfChanged()!.Value.Bytes);
            service.Serve(1, new uint[4], out _); // fallback only now: the cursor alone moves
            Exhaust(service, 70, 2);
            Assert.Equal(JournalRecordHeader.Size + 2 * JournalRecordHeader.ChunkBytes, keeper.WriteIfChanged()!.Value.Bytes);
            live = State(service);
        }
        Assert.Equal(9, live.Item2[1]);
        var restored = Restored(out var restore);
        Assert.Equal(RestoreOutcome.Restored, restore.Outcome);
        Assert.Equal(1, restore.Records);
        Assert.Equal(live.Item1, restored.Positions);
        Assert.Equal(live.Item2, restored.Cursors);
    }

    [Fact]
    public void A_reload_of_the_same_dataset_keeps_the_cursors_and_a_new_dataset_resets_them()
    {
        using var service = Service();
        Exhaust(service, 5, 4);
        Assert.True(service.Swap(FeedSlab.Load(Data)));
        Assert.Equal(4, service.Current.Positions.ReadCursor(5));
        var other = Dir.File("other.bin");
        TwoDatasets.Write(other, dataset: 2, users: Users, itemsPerUser: ItemsPerUser);
        Assert.False(service.Swap(FeedSlab.Load(other)));
        Assert.Equal(0, service.Current.Positions.ReadCursor(5));
    }

    [Theory]
    [InlineData(StateFileHeader.BaseOnlyVersion)]
    [InlineData(StateFileHeader.NoCursorsVersion)]
    public void A_state_file_of_an_earlier_version_restores_its_positions_with_every_cursor_at_0(uint version)
    {
        var positions = new ushort[Users];
        positions[4] = 3;
        positions[130] = 1;
        var header = new StateFileHeader { FormatVersion = version, DatasetId = DatasetId, UserCount = Users, UsersPastStart = 2 };
        header.PositionsChecksum = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(positions.AsSpan()));
        var bytes = new byte[header.BaseLength];
        MemoryMarshal.AsBytes(positions.AsSpan()).CopyTo(bytes.AsSpan(StateFileHeader.Size));
        header.WriteTo(bytes);
        bytes[8] = (byte)version; // WriteTo writes the current version
        header.HeaderChecksum = XxHash3.HashToUInt64(bytes.AsSpan(0, 56));
        BitConverter.TryWriteBytes(bytes.AsSpan(56), header.HeaderChecksum);
        if (version == StateFileHeader.NoCursorsVersion)
        {
            // One record of that version: chunk 0 with positions and no cursors; user 2 moves to 2.
            var body = new byte[JournalRecordHeader.PositionsOnlyChunkBytes];
            MemoryMarshal.Cast<byte, ushort>(body.AsSpan(sizeof(uint)))[2] = 2;
            MemoryMarshal.Cast<byte, ushort>(body.AsSpan(sizeof(uint)))[4] = 3;
            bytes = [.. bytes, .. FirstRecord(header.HeaderChecksum, body, usersPastStart: 3)];
            positions[2] = 2;
        }
        File.WriteAllBytes(StatePath, bytes);

        var (restoredPositions, cursors) = Restored(out var restore);
        Assert.Equal(RestoreOutcome.Restored, restore.Outcome);
        Assert.Null(restore.Reason);
        Assert.Equal(positions, restoredPositions);
        Assert.All(cursors, c => Assert.Equal(0, c));

        // The next snapshot rewrites it in the current version, cursors included.
        using (var service = Service())
        using (var keeper = new StateKeeper(service, StatePath, new SnapshotStatistics()))
        {
            keeper.Restore();
            Exhaust(service, 4, 2);
            keeper.WriteIfChanged();
        }
        Assert.Equal(StateFileHeader.CurrentVersion, MemoryMarshal.Read<StateFileHeader>(File.ReadAllBytes(StatePath)).FormatVersion);
        Assert.Equal(ItemsPerUser + 2, Restored(out _).Cursors[4]); // user 4 had read their list: all fallback
    }

    [Fact]
    public void A_flipped_cursor_byte_in_the_base_makes_the_file_corrupt()
    {
        using (var service = Service())
        using (var keeper = new StateKeeper(service, StatePath, new SnapshotStatistics()))
        {
            Exhaust(service, 9, 3);
            keeper.WriteIfChanged();
        }
        var bytes = File.ReadAllBytes(StatePath);
        bytes[StateFileHeader.Size + Users * sizeof(ushort) + 9 * sizeof(ushort)] ^= 0x01;
        File.WriteAllBytes(StatePath, bytes);
        var (_, cursors) = Restored(out var restore);
        Assert.Equal(RestoreOutcome.Corrupt, restore.Outcome);
        Assert.All(cursors, c => Assert.Equal(0, c));
    }
}
