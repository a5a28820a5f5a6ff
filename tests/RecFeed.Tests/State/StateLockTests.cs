using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.State;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.State;

/// <summary>One keeper per state file: a second one, in this process or another, is refused with the holder's pid.</summary>
public sealed class StateLockTests : TempDirectoryTest
{
    [Fact]
    public void A_second_lock_on_one_state_file_fails_naming_the_file_and_the_holders_pid()
    {
        var state = Dir.File("feeds.bin.state");
        using (StateLock.Acquire(state))
        {
            var refused = Assert.Throws<StateLockException>(() => StateLock.Acquire(state));
            Assert.Contains(state, refused.Message);
            Assert.Contains($"pid {Environment.ProcessId}", refused.Message);
            Assert.DoesNotContain('\n', refused.Message);
        }
        using var again = StateLock.Acquire(state); // released on dispose
        Assert.Equal(state + ".lock", again.Path);
    }

    [Fact]
    public void The_progress_keeper_holds_the_lock_from_construction_to_disposal()
    {
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users: 10, itemsPerUser: 5);
        var state = StateFile.DefaultPath(data);
        using var a = new FeedService(FeedSlab.Load(data), new FeedCounters());
        using var b = new FeedService(FeedSlab.Load(data), new FeedCounters());
        using (new StateKeeper(a, state, new SnapshotStatistics()))
            Assert.Throws<StateLockException>(() => new StateKeeper(b, state, new SnapshotStatistics()));
        using var keeper = new StateKeeper(b, state, new SnapshotStatistics());
        Assert.Equal(RestoreOutcome.Missing, keeper.Restore().Outcome);
    }

    [Fact]
    public void A_lock_that_cannot_be_created_is_a_one_line_error()
    {
        var state = Path.Combine(Dir.Path, "no-such-folder", "feeds.bin.state");
        var refused = Assert.Throws<StateLockException>(() => StateLock.Acquire(state));
        Assert.Contains(state, refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }
}
