using RecFeed.Format;
using RecFeed.Slab;
using RecFeed.State;

namespace RecFeed.Feed;

/// <summary>
/// Swaps in the feeds file at <paramref name="dataPath"/> (an operator renames a new one over it, then asks for a
/// reload). The new file is loaded and verified into a new slab while the old one keeps serving; a file that does
/// not verify is rejected and nothing changes. Reloads run one at a time; a second one waits for the first.
/// </summary>
public sealed class FeedReloader(FeedService service, string dataPath, ProgressKeeper? progress) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);

    public Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken = default) => service.Reloads.Track(ReloadOnceAsync, cancellationToken);

    private async Task<ReloadResult> ReloadOnceAsync(CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            var before = service.Current.Header;
            FeedSlab slab;
            try
            {
                slab = await Task.Run(() => FeedSlab.Load(dataPath, cancellationToken), cancellationToken);
            }
            catch (FeedFileException e)
            {
                return new ReloadResult(false, $"reload rejected: {dataPath}: {e.Message}; still serving dataset {before.DatasetId:x16}");
            }

            var kept = service.Swap(slab);
            var message = $"reloaded {dataPath}: dataset {slab.Header.DatasetId:x16}, {slab.UserCount} users x {slab.ItemsPerUser} items, " +
                $"verified in {slab.LoadTime.TotalSeconds:F2} s, " +
                (kept ? "same dataset: read positions kept" : $"new dataset (was {before.DatasetId:x16}): read positions start from zero");
            if (!kept && progress != null)
            {
                try
                {
                    progress.WriteIfChanged();
                    message += $", state file {progress.Path} follows";
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    message += $", but writing the state file failed ({e.Message}); retried at the next snapshot";
                }
            }
            return new ReloadResult(true, message);
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();
}
