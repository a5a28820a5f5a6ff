using System.Runtime.InteropServices;
using RecFeed.Feed;
using RecFeed.Positions;

namespace RecFeed.State;

/// <summary>
/// Keeps the state file of one <see cref="FeedService"/>: holds its lock (<see cref="StateLock"/>) from construction
/// to disposal, restores it at start, snapshots the chunks whose positions moved, and follows reloads. Snapshots run
/// under the service's swap lock, so the generation being copied cannot be freed by a reload midway, and two
/// snapshots (timer, reload, shutdown) never run at once; requests never take that lock. The first snapshot of this
/// process, of a new dataset, or after a failed write is a full base; after that each one appends only what changed
/// (<see cref="StateWriter"/>).
/// </summary>
public sealed class StateKeeper : IDisposable
{
    private readonly FeedService _service;
    private readonly SnapshotStatistics _snapshots;
    private readonly StateLock _lock;
    private readonly long? _journalLimit;
    private readonly List<int> _changed = [];
    private StateWriter? _writer;
    // The deltas whose positions the delta state file holds as this process last wrote or read it.
    private List<AppliedDelta> _writtenDeltas = [];

    /// <summary>Takes the state file's lock; throws <see cref="StateLockException"/> when another process holds it.</summary>
    /// <param name="snapshots">Where every snapshot round is counted, for /metrics.</param>
    /// <param name="journalLimit">Bytes of journal after which a snapshot compacts into a new base; by default the base's size, at least 1 MiB.</param>
    public StateKeeper(FeedService service, string path, SnapshotStatistics snapshots, long? journalLimit = null)
        : this(service, path, StateLock.Acquire(path), snapshots, journalLimit)
    {
    }

    /// <summary>With the state file's lock already held: serve takes it before loading the feeds file, so a second
    /// process on the same state file refuses at once instead of after a load. Disposing the keeper releases it.</summary>
    public StateKeeper(FeedService service, string path, StateLock held, SnapshotStatistics snapshots, long? journalLimit = null)
    {
        _service = service;
        _snapshots = snapshots;
        Path = path;
        _journalLimit = journalLimit;
        _lock = held;
    }

    public string Path { get; }

    /// <summary>Where the positions of the deltas' users are kept (<see cref="DeltaStateFile"/>).</summary>
    public string DeltaPath => DeltaStateFile.PathFor(Path);

    /// <summary>
    /// After the deltas were applied at start: restores the positions of their users from the delta state file, for
    /// the deltas it names; returns those deltas' names (the others' users start their new lists at 0).
    /// </summary>
    public List<string> RestoreDeltas(out string? problem)
    {
        string? why = null;
        var restored = _service.WithStableGeneration(g =>
        {
            var names = DeltaStateFile.Restore(DeltaPath, g, out why);
            _writtenDeltas = [.. g.Deltas.Where(d => names.Contains(d.Name))];
            return names;
        });
        problem = why;
        return restored;
    }

    /// <summary>Loads the state file into the current generation. Call before serving.</summary>
    public StateRestore Restore() => _service.WithStableGeneration(g => StateFile.Restore(Path, g));

    /// <summary>Writes a snapshot if any position moved since the last one (or a reload reset them); null if nothing changed.</summary>
    public StateSnapshot? WriteIfChanged() => _service.WithStableGeneration<StateSnapshot?>(g =>
    {
        WriteDeltasIfChanged(g);
        var changed = FindChanged(g.Positions);
        if (changed.IsEmpty)
        {
            _snapshots.UpToDate();
            return null;
        }
        try
        {
            if (_writer is { } writer && writer.CanAppend(g.Positions, changed.Length))
                return _snapshots.Record(writer.Append(changed));
            _writer = null;
            _writer = StateWriter.Compact(Path, g, _journalLimit, out var snapshot);
            return _snapshots.Record(snapshot);
        }
        catch
        {
            _writer = null; // part of a record may follow the last good one: the next snapshot starts a new base
            g.Positions.MarkChanged(changed); // not written: the next round tries again
            _snapshots.Failed();
            throw;
        }
    });

    /// <summary>Rewrites the delta state file when a delta was added or dropped, or a listed user's position moved.</summary>
    private void WriteDeltasIfChanged(FeedGeneration g)
    {
        if (g.Deltas.SequenceEqual(_writtenDeltas) && !g.Deltas.Any(d => d.Positions.ChangedChunks.ContainsAnyExcept((byte)0)))
            return;
        try
        {
            DeltaStateFile.Write(DeltaPath, g);
            _writtenDeltas = [.. g.Deltas];
        }
        catch
        {
            foreach (var delta in g.Deltas)
                delta.Positions.MarkChanged();
            _snapshots.Failed();
            throw;
        }
    }

    /// <summary>
    /// After a reload swapped in a new dataset (read positions reset): the state file follows it at once rather than
    /// at the next round. Says what happened, as the tail of the reload's message; a failed write is retried then.
    /// </summary>
    public string FollowNewDataset()
    {
        try
        {
            WriteIfChanged();
            return $", state file {Path} follows";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $", but writing the state file failed ({e.Message}); retried at the next snapshot";
        }
    }

    /// <summary>The chunks marked changed, ascending, in a list reused from snapshot to snapshot.</summary>
    private ReadOnlySpan<int> FindChanged(PositionTable positions)
    {
        _changed.Clear();
        var map = positions.ChangedChunks;
        for (var next = map.IndexOfAnyExcept((byte)0); next >= 0;)
        {
            _changed.Add(next);
            var rest = map[(next + 1)..].IndexOfAnyExcept((byte)0);
            next = rest < 0 ? -1 : next + 1 + rest;
        }
        return CollectionsMarshal.AsSpan(_changed);
    }

    /// <summary>Snapshots every <paramref name="interval"/> until cancelled; a failed write is reported and retried next round.</summary>
    public async Task RunAsync(TimeSpan interval, Action<StateSnapshot> written, Action<Exception> failed, CancellationToken cancellationToken)
    {
        _snapshots.Interval = interval;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    if (WriteIfChanged() is { } snapshot)
                        written(snapshot);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    failed(e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Releases the state file's lock; the final snapshot must be written before.</summary>
    public void Dispose() => _lock.Dispose();
}
