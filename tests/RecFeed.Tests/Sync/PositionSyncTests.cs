using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.Sync;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sync;

/// <summary>
/// The position sync engine, round by round, between feed services of one process (each a replica) and a real
/// redis-server: what reaches a peer, what wins, what is never applied, what a Redis restart costs.
/// </summary>
public sealed class PositionSyncTests : TempDirectoryTest
{
    private const int Users = 3000;
    private const int ItemsPerUser = 20;

    private readonly RedisServer _redis = new();
    private readonly List<IDisposable> _owned = [];
    private readonly string _one, _two;

    public PositionSyncTests() => (_one, _two) = TwoDatasets.WriteBoth(Dir, Users, ItemsPerUser);

    protected override void DisposeFiles()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
            owned.Dispose();
        _redis.Dispose();
    }

    private (FeedService Service, PositionSync Sync, SyncStatistics Statistics) Replica(string data)
    {
        var service = new FeedService(FeedSlab.Load(data), new FeedCounters());
        var statistics = new SyncStatistics();
        var sync = new PositionSync(service, _redis.Address, statistics);
        _owned.Add(service);
        _owned.Add(sync);
        return (service, sync, statistics);
    }

    private static Task<SyncRound> Round(PositionSync sync) => sync.RoundAsync(TimeSpan.FromSeconds(20), CancellationToken.None);

    private static uint[] Read(FeedService service, uint user, int size)
    {
        var items = new uint[size];
        Assert.Equal(FeedOutcome.Served, service.Serve(user, items, out var count));
        return items[..count];
    }

    private static int Position(FeedService service, ulong user) => service.Current.Positions.Read(user);

    private async Task<int> StoredAsync(FeedService service, ulong user)
    {
        var keys = PositionKeys.For(_redis.Address, service.Current.Header);
        return (await _redis.CallAsync("BITFIELD", keys.Values, "GET", "u16", $"#{user}")).Item(0).Integer is var n ? (int)n : 0;
    }

    [Fact]
    public async Task A_user_read_on_one_replica_continues_on_the_other_after_a_round_each()
    {
        var (a, syncA, _) = Replica(_one);
        var (b, syncB, _) = Replica(_one);
        Assert.True((await Round(syncA)).Reconciled);
        Assert.True((await Round(syncB)).Reconciled);

        Assert.Equal([TwoDatasets.Item(1, 4, 0), TwoDatasets.Item(1, 4, 1), TwoDatasets.Item(1, 4, 2)], Read(a, 4, 3));
        var sent = await Round(syncA);
        var taken = await Round(syncB);

        Assert.Equal((1, 0, false), (sent.UsersSent, sent.UsersTakenIn, sent.Reconciled));
        Assert.Equal((0, 1, false), (taken.UsersSent, taken.UsersTakenIn, taken.Reconciled));
        Assert.Equal(3, await StoredAsync(a, 4));
        Assert.Equal([TwoDatasets.Item(1, 4, 3), TwoDatasets.Item(1, 4, 4)], Read(b, 4, 2));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_furthest_position_wins_whichever_replica_syncs_first(bool aFirst)
    {
        var (a, syncA, _) = Replica(_one);
        var (b, syncB, _) = Replica(_one);
        Read(a, 7, 5);
        Read(b, 7, 2);
        Read(a, 8, 1);
        Read(b, 8, 6);
        var (first, second) = aFirst ? (syncA, syncB) : (syncB, syncA);

        await Round(first);
        await Round(second);
        await Round(first);

        Assert.Equal((5, 5, 5), (Position(a, 7), Position(b, 7), await StoredAsync(a, 7)));
        Assert.Equal((6, 6, 6), (Position(a, 8), Position(b, 8), await StoredAsync(a, 8)));
    }

    [Fact]
    public async Task The_bytes_a_round_sends_follow_the_users_who_moved_not_the_user_count()
    {
        var (a, syncA, statistics) = Replica(_one);
        await Round(syncA);
        var idle = await Round(syncA);
        for (uint u = 0; u < 10; u++)
            Read(a, u * 97, 1);
        var ten = await Round(syncA);
        for (uint u = 0; u < 2000; u++)
            Read(a, u, 1);
        var many = await Round(syncA);

        Assert.Equal((0, 10, 2000), (idle.UsersSent, ten.UsersSent, many.UsersSent));
        Assert.InRange(idle.BytesSent, 1, 200); // the log read only
        Assert.InRange(ten.BytesSent - idle.BytesSent, 10 * 6, 10 * 6 + 300); // 6 bytes a user and one merge call's framing
        Assert.InRange(many.BytesSent - idle.BytesSent, 2000 * 6, 2000 * 6 + 2 * 300);
        Assert.Equal(2010, statistics.UsersSent);
    }

    [Fact]
    public async Task Another_shard_s_key_or_the_previous_dataset_s_is_never_applied()
    {
        var (a, syncA, _) = Replica(_one);
        await Round(syncA);
        var header = a.Current.Header;
        var otherShard = PositionKeys.For(_redis.Address, header with { ShardIndex = 1, ShardCount = 2 });
        await _redis.CallAsync("BITFIELD", otherShard.Values, "SET", "u16", "#4", "15");
        await _redis.CallAsync("XADD", otherShard.Log, "0-*", "p", "\u0004\0\0\0\u000f\0", "r", "peer");
        var otherDataset = Replica(_two);
        Read(otherDataset.Service, 5, 9);
        await Round(otherDataset.Sync);
        await Round(otherDataset.Sync);

        var round = await Round(syncA);

        Assert.Equal(0, round.UsersTakenIn);
        Assert.Equal((0, 0), (Position(a, 4), Position(a, 5)));

        Read(a, 6, 3);
        await Round(syncA); // dataset 1's key now holds user 6 at 3
        a.Swap(FeedSlab.Load(_two));
        var afterReload = await Round(syncA);

        Assert.True(afterReload.Reconciled);
        Assert.Equal((0, 9), (Position(a, 6), Position(a, 5)));
    }

    [Fact]
    public async Task Redis_restarted_empty_gets_every_position_back_at_the_next_round()
    {
        var (a, syncA, statistics) = Replica(_one);
        await Round(syncA);
        Read(a, 3, 2);
        await Round(syncA);
        _redis.Stop();
        Read(a, 9, 4);

        var e = await Assert.ThrowsAsync<RespException>(() => Round(syncA));
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(statistics.Up);
        _redis.Start();
        var back = await Round(syncA);

        Assert.True(statistics.Up);
        Assert.True(back.Reconciled);
        Assert.Equal(2, back.UsersSent);
        Assert.Equal((2, 4), (await StoredAsync(a, 3), await StoredAsync(a, 9)));
    }

    [Fact]
    public async Task A_log_trimmed_past_the_cursor_is_caught_up_by_a_reconcile()
    {
        var (a, syncA, _) = Replica(_one);
        var (b, syncB, _) = Replica(_one);
        await Round(syncA);
        await Round(syncB);
        foreach (var user in (uint[])[10, 11, 12])
        {
            Read(b, user, 3);
            await Round(syncB);
        }
        await _redis.CallAsync("XTRIM", PositionKeys.For(_redis.Address, b.Current.Header).Log, "MAXLEN", "1");

        var gap = await Round(syncA);
        var reconcile = await Round(syncA);

        Assert.Equal(0, gap.UsersTakenIn);
        Assert.True(reconcile.Reconciled);
        Assert.Equal(3, reconcile.UsersTakenIn);
        Assert.Equal((3, 3, 3), (Position(a, 10), Position(a, 11), Position(a, 12)));
    }
}
