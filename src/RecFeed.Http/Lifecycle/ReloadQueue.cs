using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RecFeed.Feed;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// The reloads of one serve. Each is logged in one line and never throws. Asked for by signal (<see cref="Request"/>),
/// a reload is queued behind any running one; asked for while starting it is remembered and runs once
/// <see cref="Open"/> is called (the file may have been replaced during the load); asked for while stopping it is
/// refused. <see cref="CloseAsync"/> abandons what is running and waits for it, so nothing it uses is freed under it.
/// </summary>
internal sealed class ReloadQueue(ILogger log) : IDisposable
{
    private readonly CancellationTokenSource _closing = new();
    // Guards the state below against the signal thread.
    private readonly Lock _state = new();
    private IReadOnlyList<ServedFeed>? _feeds;
    private bool _open;
    private bool _closed;
    private bool _askedWhileStarting;
    private Task _queued = Task.CompletedTask;

    /// <summary>The feeds a reload reloads, each with its own reloader; before the listeners start, since the admin listener reloads at once.</summary>
    public void Attach(IReadOnlyList<ServedFeed> feeds) => _feeds = feeds;

    /// <summary>Ready: from now on a request runs; one asked for while starting runs now.</summary>
    public void Open()
    {
        lock (_state)
        {
            _open = true;
            if (_askedWhileStarting && !_closed)
                _queued = RunAfterAsync(_queued, "SIGHUP (received while starting)");
        }
    }

    /// <summary>What SIGHUP does: a reload, queued behind any running one, remembered while starting, refused while stopping.</summary>
    public void Request(string trigger)
    {
        lock (_state)
        {
            if (_closed)
                log.ReloadIgnored(trigger);
            else if (_open)
                _queued = RunAfterAsync(_queued, trigger);
            else if (!_askedWhileStarting)
            {
                _askedWhileStarting = true;
                log.ReloadDeferred(trigger);
            }
        }
    }

    private async Task RunAfterAsync(Task previous, string trigger)
    {
        await previous;
        await ReloadAsync(trigger);
    }

    /// <summary>
    /// Reloads every feed's data path now, one after the other, each logged in one line (in the feed's log) and
    /// counted on its own; a feed whose file is unchanged is skipped, one whose file is bad keeps what it served.
    /// Never throws. With one feed its result; with several, the worst of them, with a line per feed.
    /// </summary>
    public async Task<ReloadResult> ReloadAsync(string trigger)
    {
        var feeds = _feeds ?? throw new InvalidOperationException("not started");
        var results = new ReloadResult[feeds.Count];
        for (var i = 0; i < feeds.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var result = results[i] = await feeds[i].Reloader!.ReloadAsync(_closing.Token);
            feeds[i].Log.Reloaded(result.Succeeded ? LogLevel.Information : LogLevel.Error, trigger, result.Message,
                result.Outcome.ToString().ToLowerInvariant(), Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        return results.Length == 1 ? results[0] : new ReloadResult(results.Max(r => r.Outcome) switch
        {
            // Skipped sorts before Rejected but after Accepted: a mix of accepted and skipped is a success, shown as accepted.
            ReloadOutcome.Skipped when results.Any(r => r.Outcome == ReloadOutcome.Accepted) => ReloadOutcome.Accepted,
            var worst => worst,
        }, string.Join('\n', results.Select((r, i) => $"feed {feeds[i].Name}: {r.Message}")));
    }

    /// <summary>Refuses further requests, abandons the running reload and waits for every queued one to end.</summary>
    public async Task CloseAsync()
    {
        Task queued;
        lock (_state)
        {
            _closed = true;
            queued = _queued;
        }
        await _closing.CancelAsync();
        await queued;
    }

    public void Dispose() => _closing.Dispose();
}
