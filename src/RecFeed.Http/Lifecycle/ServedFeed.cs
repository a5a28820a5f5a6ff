using Microsoft.Extensions.Logging;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Sharding;
using RecFeed.Slab;
using RecFeed.State;
using RecFeed.Sync;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// One feed of a serve, <c>--data</c>'s or a named one: its state file's lock, its slab and <see cref="FeedService"/>,
/// its read positions (<see cref="StateKeeper"/>, snapshots, the position sync), its <see cref="FeedReloader"/> and
/// its <see cref="Statistics"/>. Feeds share nothing but the listeners and the process, so one feed's bad file or
/// full disk leaves the others as they are. <see cref="Dispose"/> frees what <see cref="LoadAsync"/> acquired, last-first.
/// </summary>
public sealed class ServedFeed : IDisposable
{
    private readonly Stack<IDisposable> _acquired = new();
    private FeedService? _service;

    internal ServedFeed(string name, string data, string statePath, ILogger log)
    {
        (Name, Data, StatePath, Log) = (name, data, statePath, log);
    }

    /// <summary><see cref="NamedFeed.DefaultName"/> for <c>--data</c>'s feed.</summary>
    public string Name { get; }

    public string Data { get; }

    public string StatePath { get; }

    /// <summary>What this feed counts; the label <c>feed="NAME"</c> tells its samples apart in /metrics.</summary>
    public ServeStatistics Statistics { get; } = new();

    /// <summary>The loaded service; valid once <see cref="LoadAsync"/> succeeded.</summary>
    public FeedService Service => _service ?? throw new InvalidOperationException("not loaded");

    internal ILogger Log { get; }

    internal StateKeeper? Keeper { get; private set; }

    internal FeedReloader? Reloader { get; private set; }

    internal PositionSyncLoop? Sync { get; private set; }

    internal SnapshotLoop? Snapshots { get; private set; }

    /// <summary>
    /// Takes the state file's lock, loads and verifies the file, restores the read positions (state file, then the
    /// sync's first round) and makes the reloader. Null once loaded; otherwise how the start ends and why, in one line
    /// (null for a start interrupted, which says nothing).
    /// </summary>
    /// <param name="shard">The shard every feed must hold (--data's); null while loading --data itself.</param>
    internal async Task<(ServeExit Exit, string? Why)?> LoadAsync(ServeOptions options, ShardSpec? shard, CancellationToken cancellationToken)
    {
        StateLock stateLock;
        try
        {
            stateLock = Acquire(StateLock.Acquire(StatePath));
        }
        catch (StateLockException e)
        {
            return (ServeExit.CannotStart, e.Message);
        }
        Log.Loading(Data);
        FeedSlab slab;
        try
        {
            slab = FeedSlab.Load(Data, cancellationToken);
        }
        catch (FeedFileException e)
        {
            return (ServeExit.BadData, $"{Data}: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            return (ServeExit.Interrupted, null);
        }
        if (shard is { } expected && slab.Header.Shard != expected)
        {
            slab.Dispose();
            // The router sends this process one shard's users whatever the path names: another shard's feed would
            // answer every one of them 421, and /healthz could name only one shard.
            return (ServeExit.BadData, $"{Data}: feed '{Name}' holds shard {slab.Header.Shard}, but --data holds shard {expected}; " +
                "every feed of a process must hold the shard its router sends it");
        }
        var service = _service = Acquire(new FeedService(slab, Statistics.Feed));
        var keeper = Acquire(new StateKeeper(service, StatePath, stateLock, Statistics.Snapshots));
        try
        {
            Log.Restored(keeper.Path, keeper.Restore());
        }
        catch (IOException e)
        {
            return (ServeExit.CannotStart, $"{StatePath}: {e.Message}");
        }
        Keeper = keeper;
        Reloader = Acquire(new FeedReloader(service, Data, Statistics.Reloads, keeper.FollowNewDataset, Statistics.Deltas));
        DeltaStart.Apply(Reloader, keeper, Log);
        if (options.PositionsRedis is { } shared)
        {
            // A named feed's keys carry its name too: two feeds of one dataset (a file served twice) never share positions.
            var redis = Name == NamedFeed.DefaultName ? shared : shared with { KeyPrefix = $"{shared.KeyPrefix}:{Name}" };
            await (Sync = Acquire(new PositionSyncLoop(new PositionSync(service, redis, Statistics.Sync), options.PositionsSyncInterval,
                Statistics.Sync, Log))).FirstRoundAsync(cancellationToken);
        }
        return null;
    }

    /// <summary>Serving: snapshots every interval and the sync's rounds begin.</summary>
    internal void Run(TimeSpan snapshotInterval)
    {
        Snapshots = new SnapshotLoop(Keeper!, snapshotInterval, Log);
        Sync?.Start();
    }

    private T Acquire<T>(T owned) where T : IDisposable
    {
        _acquired.Push(owned);
        return owned;
    }

    public void Dispose()
    {
        while (_acquired.TryPop(out var owned))
            owned.Dispose();
        Snapshots?.Dispose();
    }
}
