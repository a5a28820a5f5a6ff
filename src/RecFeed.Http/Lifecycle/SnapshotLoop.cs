using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RecFeed.State;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// Writes the read positions every interval while they move (<see cref="StateKeeper.RunAsync"/>), logging each
/// failure with how long the positions have been off disk, until stopped.
/// </summary>
internal sealed class SnapshotLoop : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _failedInARow;
    private DateTimeOffset _lastWritten = DateTimeOffset.UtcNow;

    public SnapshotLoop(StateKeeper keeper, TimeSpan interval, ILogger log)
    {
        _running = keeper.RunAsync(interval,
            s =>
            {
                (_failedInARow, _lastWritten) = (0, DateTimeOffset.UtcNow);
                log.Snapshot(s.UsersPastStart, s.Bytes, s.Elapsed.TotalMilliseconds);
            },
            e => log.SnapshotFailed(keeper.Path, ++_failedInARow, (DateTimeOffset.UtcNow - _lastWritten).TotalSeconds, e.Message),
            _stop.Token);
    }

    /// <summary>Ends the loop and waits for a snapshot being written to finish; the final one is the caller's.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>The last snapshot of a stop, logged with how long the whole stop took.</summary>
    public static ServeExit WriteFinal(StateKeeper keeper, ILogger log, long stopStarted)
    {
        try
        {
            var snapshot = keeper.WriteIfChanged();
            var stopSeconds = Stopwatch.GetElapsedTime(stopStarted).TotalSeconds;
            if (snapshot is { } s)
                log.StoppedWithSnapshot(keeper.Path, s.UsersPastStart, s.Bytes, s.Elapsed.TotalMilliseconds, stopSeconds);
            else
                log.StoppedUnchanged(keeper.Path, stopSeconds);
            return ServeExit.Stopped;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.FinalSnapshotFailed(keeper.Path, e.Message);
            return ServeExit.FinalSnapshotFailed;
        }
    }
}
