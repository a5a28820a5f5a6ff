using System.Diagnostics;
using RecFeed.Format;
using RecFeed.Slab;

namespace RecFeed.Feed;

/// <summary>
/// Swaps in the feeds file at <paramref name="dataPath"/> (an operator renames a new one over it, then asks for a
/// reload). The new file is loaded and verified into a new slab while the old one keeps serving; a file that does
/// not verify, or holds another shard, is rejected and nothing changes. The file already served is skipped without
/// reading it again: logrotate and <c>systemctl reload</c> send SIGHUP freely. Reloads run one at a time; a second
/// one waits for the first. Every reload ends in a <see cref="ReloadResult"/>, never an exception, and is counted
/// in <paramref name="statistics"/>.
/// </summary>
/// <param name="newDataset">Runs after a new dataset was swapped in and its read positions started from zero, before
/// the reload counts as done (the state file follows there); says what it did, for the reload's message.</param>
/// <param name="deltas">Counts the delta files of <c>DATA.deltas/</c>, which every reload (and <see cref="ApplyDeltas"/> at
/// start) applies over the base (<see cref="DeltaFolder"/>).</param>
public sealed class FeedReloader(FeedService service, string dataPath, ReloadStatistics statistics, Func<string>? newDataset = null,
    DeltaStatistics? deltas = null) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly DeltaFolder _deltas = new(dataPath, deltas ?? new DeltaStatistics());

    /// <summary>
    /// Applies the delta files not served yet over the base served now, before serving starts (reloads do the same on
    /// their own); says what it applied and refused, one line per refused file.
    /// </summary>
    public DeltaFolder.Scan ApplyDeltas()
    {
        _one.Wait();
        try
        {
            var current = service.Current;
            var scan = _deltas.Look(current.Slab, current.Deltas);
            if (scan.Added.Count > 0)
                service.Swap(current.Slab, [.. current.Deltas, .. scan.Added]);
            return scan;
        }
        finally
        {
            _one.Release();
        }
    }

    public async Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await TryReloadAsync(cancellationToken);
        statistics.Record(result, started);
        return result;
    }

    private async Task<ReloadResult> TryReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _one.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return Failed("reload abandoned, the server is stopping");
        }
        try
        {
            return await ReloadOnceAsync(cancellationToken);
        }
        catch (FeedFileException e)
        {
            return new ReloadResult(ReloadOutcome.Rejected, $"reload rejected: {dataPath}: {e.Message}; {StillServing()}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Failed("reload abandoned, the server is stopping");
        }
        catch (Exception e)
        {
            // Out of memory for the new slab, an I/O error outside the file checks: not the file's fault, so not
            // "rejected", but the old data is intact and keeps serving either way.
            return Failed($"reload failed: {dataPath}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<ReloadResult> ReloadOnceAsync(CancellationToken cancellationToken)
    {
        var before = service.Current;
        var (header, identity) = FeedSlab.Probe(dataPath);
        if (identity == before.Slab.Identity)
        {
            var scan = _deltas.Look(before.Slab, before.Deltas, cancellationToken);
            if (scan.Added.Count == 0)
                return new ReloadResult(ReloadOutcome.Skipped,
                    $"reload skipped: {dataPath} is unchanged (same inode, size, mtime and dataset {identity.DatasetId:x16}), nothing read" +
                    $"{scan.Describe()}");
            service.Swap(before.Slab, [.. before.Deltas, .. scan.Added]);
            return new ReloadResult(ReloadOutcome.Accepted,
                $"reloaded deltas over {dataPath} (unchanged, dataset {identity.DatasetId:x16}){scan.Describe()}; the listed users start their new lists, " +
                $"{service.Current.Overlay?.UsersListed ?? 0} users listed in all");
        }
        if (ShardChange(before, header) is { } refused)
            return refused;

        var slab = await Task.Run(() => FeedSlab.Load(dataPath, cancellationToken), cancellationToken);
        // Checked again on what was loaded: another file may have been renamed over the path since the probe.
        if (ShardChange(before, slab.Header) is { } late)
        {
            slab.Dispose();
            return late;
        }

        // The deltas served stay (with their positions) for the same dataset; a new one is judged afresh, and the
        // deltas of the old base then count as superseded.
        var keep = before.SameDataset(slab.Header);
        DeltaFolder.Scan deltaScan;
        try
        {
            deltaScan = _deltas.Look(slab, keep ? before.Deltas : [], cancellationToken);
        }
        catch
        {
            slab.Dispose();
            throw;
        }
        var kept = service.Swap(slab, keep ? [.. before.Deltas, .. deltaScan.Added] : deltaScan.Added);
        var message = $"reloaded {dataPath}: dataset {slab.Header.DatasetId:x16}, {slab.UserCount} users x {slab.ItemsPerUser} items, " +
            $"verified in {slab.LoadTime.TotalSeconds:F2} s, " +
            (kept ? "same dataset: read positions kept" : $"new dataset (was {before.DatasetId:x16}): read positions start from zero");
        message += deltaScan.Describe();
        if (!kept && newDataset != null)
            message += newDataset();
        return new ReloadResult(ReloadOutcome.Accepted, message);
    }

    /// <summary>
    /// A process serves one shard for its whole life: its router sends it that shard's users only, so a file of
    /// another shard would answer every one of them 421 while the health check still named the old shard.
    /// </summary>
    private ReloadResult? ShardChange(FeedGeneration serving, FeedFileHeader next) =>
        next.ShardIndex == serving.Shard.Index && next.ShardCount == serving.Shard.Count
            ? null
            : new ReloadResult(ReloadOutcome.Rejected,
                $"reload rejected: {dataPath} holds shard {next.ShardIndex}/{next.ShardCount}, this process serves shard " +
                $"{serving.Shard}; start a process for that shard instead; {StillServing()}");

    private ReloadResult Failed(string reason) => new(ReloadOutcome.Failed, $"{reason}; {StillServing()}");

    private string StillServing() => $"still serving dataset {service.Current.DatasetId:x16}";

    public void Dispose() => _one.Dispose();
}
