using RecFeed.Feed;

namespace RecFeed.Tests.Support;

/// <summary>
/// Threads calling <see cref="FeedService.Serve"/> in a loop for random users and sizes, the way Kestrel's
/// request threads do, so a test can swap or snapshot while requests run and inspect each response.
/// </summary>
public sealed class ServeLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _readers;
    private long _served;

    /// <param name="inspect">Sees each response's items; runs on the reader threads.</param>
    public ServeLoad(FeedService service, int readers, int users, int maxSize, Action<ReadOnlySpan<uint>>? inspect = null)
    {
        _readers = [.. Enumerable.Range(0, readers).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            var items = new uint[maxSize];
            while (!_stop.IsCancellationRequested)
            {
                service.Serve((uint)random.Next(users), items.AsSpan(0, random.Next(1, maxSize + 1)), out var count);
                inspect?.Invoke(items.AsSpan(0, count));
                Interlocked.Increment(ref _served);
            }
        }))];
    }

    public long Served => Interlocked.Read(ref _served);

    /// <summary>Returns once <paramref name="requests"/> more requests have been served.</summary>
    public async Task WaitForAsync(long requests)
    {
        var target = Served + requests;
        while (Served < target)
            await Task.Yield();
    }

    /// <summary>Stops the readers and waits for them; their exceptions surface here.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_readers);
        _stop.Dispose();
    }
}
