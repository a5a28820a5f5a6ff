using RecFeed.Feed;

namespace RecFeed.State;

/// <summary>
/// Keeps the state file of one <see cref="FeedService"/>: restores it at start, snapshots it when positions moved,
/// and follows reloads. Snapshots run under the service's swap lock, so the generation being copied cannot be freed
/// by a reload midway; requests never take that lock.
/// </summary>
public sealed class ProgressKeeper(FeedService service, string path)
{
    public string Path { get; } = path;

    /// <summary>Loads the state file into the current generation. Call before serving.</summary>
    public StateRestore Restore() => service.WithStableGeneration(g => StateFile.Restore(Path, g));

    /// <summary>Writes a snapshot if any position moved since the last one (or a reload reset them); null if nothing changed.</summary>
    public StateSnapshot? WriteIfChanged() => service.WithStableGeneration<StateSnapshot?>(g =>
    {
        if (!g.Offsets.TakeChanged())
        {
            service.Snapshots.UpToDate();
            return null;
        }
        try
        {
            return service.Snapshots.Record(StateFile.Write(Path, g));
        }
        catch
        {
            g.Offsets.MarkChanged(); // not written: the next round tries again
            service.Snapshots.Failed();
            throw;
        }
    });

    /// <summary>Snapshots every <paramref name="interval"/> until cancelled; a failed write is reported and retried next round.</summary>
    public async Task RunAsync(TimeSpan interval, Action<StateSnapshot> written, Action<Exception> failed, CancellationToken cancellationToken)
    {
        service.Snapshots.Interval = interval;
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
}
