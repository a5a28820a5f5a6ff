using Microsoft.Extensions.Logging;
using RecFeed.Sync;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// Runs the <see cref="PositionSync"/> of one serve in the background: a first round before serving (so a start
/// restores the further of the state file and Redis), then a round every interval, and a last one at the stop once
/// the listeners are closed (so a peer that takes over this replica's users finds every position it served). Redis
/// unreachable: serving goes on, rounds back off (the interval doubled per failure, at most <see cref="MaxBackoff"/>),
/// and the log gets one line when the sync pauses and one when it resumes.
/// </summary>
internal sealed class PositionSyncLoop : IDisposable
{
    /// <summary>How long a round may wait for Redis before it counts as failed.</summary>
    public static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly PositionSync _sync;
    private readonly TimeSpan _interval;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private int _failedInARow;
    private bool _everUp;

    public PositionSyncLoop(PositionSync sync, TimeSpan interval, SyncStatistics statistics, ILogger log)
    {
        (_sync, _interval, _log) = (sync, interval, log);
        statistics.Configured = true;
        statistics.Interval = interval;
    }

    /// <summary>The round before serving; a Redis that does not answer is logged and serving starts anyway.</summary>
    public async Task FirstRoundAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RoundAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // a stop asked for while starting: the start sees it next and gives up
        }
    }

    public void Start() => _running = RunAsync();

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(NextDelay(), _stop.Token);
                await RoundAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>The interval while Redis answers; after failures, the interval doubled per failure up to <see cref="MaxBackoff"/>.</summary>
    private TimeSpan NextDelay()
    {
        if (_failedInARow == 0)
            return _interval;
        var cap = _interval > MaxBackoff ? _interval : MaxBackoff;
        var backoff = _interval * Math.Pow(2, Math.Min(_failedInARow - 1, 20));
        return backoff < cap ? backoff : cap;
    }

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        try
        {
            var round = await _sync.RoundAsync(RoundTimeout, cancellationToken);
            if (!_everUp)
                _log.SyncUp(_sync.Address.ToString(), _interval.TotalSeconds, round.UsersTakenIn);
            else if (_failedInARow > 0)
                _log.SyncResumed(_sync.Address.ToString(), _failedInARow, round.UsersTakenIn);
            (_everUp, _failedInARow) = (true, 0);
        }
        catch (RespException e)
        {
            if (_failedInARow++ == 0)
                _log.SyncPaused(e.Message, MaxBackoff.TotalSeconds);
        }
    }

    /// <summary>Ends the loop, then sends what the last requests moved, unless Redis is not answering (the stop does not wait for it).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
        if (_failedInARow == 0)
            await RoundAsync(CancellationToken.None);
    }

    public void Dispose()
    {
        _sync.Dispose();
        _stop.Dispose();
    }
}
