using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.State;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.State;

public sealed class StateFileTests : TempDirectoryTest
{

    private FeedService Service(string data) => new(FeedSlab.Load(data), new FeedCounters());

    /// <summary>One snapshot by a keeper that lets the state file go again, as a stopped server does.</summary>
    private static StateSnapshot? Snapshot(FeedService service, string state)
    {
        using var keeper = new StateKeeper(service, state, new SnapshotStatistics());
        return keeper.WriteIfChanged();
    }

    private static StateRestore Restore(FeedService service, string state)
    {
        using var keeper = new StateKeeper(service, state, new SnapshotStatistics());
        return keeper.Restore();
    }

    private static uint[] Claim(FeedService service, uint user, int size)
    {
        var items = new uint[size];
        service.Serve(user, items, out var count);
        return items[..count];
    }

    [Fact]
    public void A_snapshot_restores_every_users_position()
    {
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users: 300, itemsPerUser: 20);
        var state = Dir.File("feeds.bin.state");
        using (var before = Service(data))
        {
            for (uint u = 0; u < 300; u += 3)
                Claim(before, u, (int)(u % 7) + 1);
            var snapshot = Snapshot(before, state);
            Assert.Equal(100UL, snapshot!.Value.UsersPastStart);
        }

        using var after = Service(data);
        var restored = Restore(after, state);
        Assert.Equal(RestoreOutcome.Restored, restored.Outcome);
        Assert.Equal(100UL, restored.UsersPastStart);
        for (uint u = 0; u < 300; u++)
        {
            var expected = u % 3 == 0 ? (int)(u % 7) + 1 : 0;
            Assert.Equal(TwoDatasets.Item(1, (int)u, expected), Claim(after, u, 1)[0]);
        }
    }

    [Fact]
    public void Only_a_change_triggers_a_snapshot()
    {
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users: 10, itemsPerUser: 5);
        using var service = Service(data);
        using var keeper = new StateKeeper(service, Dir.File("s"), new SnapshotStatistics());
        Assert.Null(keeper.WriteIfChanged());
        Assert.False(File.Exists(keeper.Path));
        Claim(service, 4, 2);
        Assert.Equal(1UL, keeper.WriteIfChanged()!.Value.UsersPastStart);
        Assert.Null(keeper.WriteIfChanged());
        Assert.Empty(Directory.GetFiles(Dir.Path, "*.tmp"));
    }

    [Fact]
    public void A_snapshot_of_another_dataset_is_ignored_and_left_in_place()
    {
        var (first, second) = TwoDatasets.WriteBoth(Dir, users: 10, itemsPerUser: 5);
        var state = Dir.File("state");
        using (var a = Service(first))
        {
            Claim(a, 1, 3);
            Snapshot(a, state);
        }
        var bytes = File.ReadAllBytes(state);

        using var b = Service(second);
        var restored = Restore(b, state);
        Assert.Equal(RestoreOutcome.Mismatch, restored.Outcome);
        Assert.Contains("belongs to dataset", restored.Reason);
        Assert.Equal(TwoDatasets.Item(2, 1, 0), Claim(b, 1, 1)[0]);
        Assert.Equal(bytes, File.ReadAllBytes(state));
    }

    public static TheoryData<string> Damages => ["flip-position", "flip-header", "truncate", "garbage", "empty", "too-far"];

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_snapshot_is_renamed_aside_and_every_user_starts_from_zero(string damage)
    {
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users: 50, itemsPerUser: 8);
        var state = Dir.File("feeds.bin.state");
        using (var before = Service(data))
        {
            for (uint u = 0; u < 50; u++)
                Claim(before, u, 2);
            Snapshot(before, state);
        }
        var bytes = File.ReadAllBytes(state);
        switch (damage)
        {
            case "flip-position": bytes[StateFileHeader.Size + 7] ^= 0x01; break;
            case "flip-header": bytes[20] ^= 0x80; break;
            case "truncate": bytes = bytes[..^2]; break;
            case "garbage": bytes = "not a snapshot at all, just text"u8.ToArray(); break;
            case "empty": bytes = []; break;
            case "too-far": bytes = WithPosition(bytes, user: 3, position: 9); break; // rows hold 8 items
        }
        File.WriteAllBytes(state, bytes);

        using var after = Service(data);
        var restored = Restore(after, state);

        Assert.Equal(RestoreOutcome.Corrupt, restored.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(restored.Reason));
        Assert.False(File.Exists(state));
        Assert.StartsWith(state + ".corrupt-", restored.MovedTo);
        Assert.Equal(bytes, File.ReadAllBytes(restored.MovedTo!));
        for (uint u = 0; u < 50; u++)
            Assert.Equal(TwoDatasets.Item(1, (int)u, 0), Claim(after, u, 1)[0]);
    }

    /// <summary>A snapshot that is well-formed, checksums included, but holds a position past the row's end.</summary>
    private static byte[] WithPosition(byte[] snapshot, int user, ushort position)
    {
        var header = System.Runtime.InteropServices.MemoryMarshal.Read<StateFileHeader>(snapshot);
        var positions = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(snapshot.AsSpan(StateFileHeader.Size)).ToArray();
        positions[user] = position;
        var payload = System.Runtime.InteropServices.MemoryMarshal.AsBytes(positions.AsSpan());
        header.PositionsChecksum = System.IO.Hashing.XxHash3.HashToUInt64(payload);
        var result = new byte[snapshot.Length];
        header.WriteTo(result);
        payload.CopyTo(result.AsSpan(StateFileHeader.Size));
        return result;
    }

    [Fact]
    public async Task A_snapshot_taken_while_requests_advance_is_consistent_and_never_ahead()
    {
        var data = Dir.File("feeds.bin");
        // Rows long enough that the readers cannot exhaust them while snapshots are written.
        TwoDatasets.Write(data, dataset: 1, users: 2_000, itemsPerUser: 2_000);
        var state = Dir.File("state");
        using var service = Service(data);
        using (var keeper = new StateKeeper(service, state, new SnapshotStatistics()))
        await using (var load = new ServeLoad(service, readers: 3, users: 2_000, maxSize: 1))
        {
            // Fast readers may exhaust every row before the last rounds; what is checked is that the copies were racy.
            var written = 0;
            for (var i = 0; i < 5; i++)
            {
                await load.WaitForAsync(200);
                written += keeper.WriteIfChanged() is null ? 0 : 1;
            }
            Assert.True(written > 0, "no snapshot was taken while requests ran");
        }
        var live = Enumerable.Range(0, 2_000).Select(u => service.Current.Positions.Read((ulong)u)).ToArray();

        using var restoredService = Service(data);
        Assert.Equal(RestoreOutcome.Restored, Restore(restoredService, state).Outcome);
        for (var u = 0; u < 2_000; u++)
            Assert.InRange(restoredService.Current.Positions.Read((ulong)u), (ushort)0, live[u]);
    }
}
