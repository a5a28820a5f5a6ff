using System.Diagnostics;

namespace RecFeed.Feed;

/// <summary>
/// What the reloads of one process did, for /metrics and alerts: attempts, results by outcome, when the last one
/// succeeded and how long the last one took. Reloads are rare and run one at a time, so a lock is cheap here.
/// </summary>
public sealed class ReloadStatistics
{
    private readonly Lock _lock = new();
    private readonly long[] _outcomes = new long[Enum.GetValues<ReloadOutcome>().Length];
    private long _attempts;
    private DateTimeOffset? _lastSuccess;
    private DateTimeOffset? _lastFailure;
    private TimeSpan _lastDuration;

    public long Attempts { get { lock (_lock) return _attempts; } }

    public long this[ReloadOutcome outcome] { get { lock (_lock) return _outcomes[(int)outcome]; } }

    /// <summary>When a reload last ended <see cref="ReloadResult.Succeeded"/>; null before the first.</summary>
    public DateTimeOffset? LastSuccess { get { lock (_lock) return _lastSuccess; } }

    /// <summary>
    /// When a reload last ended rejected or failed; null before the first. Later than <see cref="LastSuccess"/>: the
    /// newest reload did not take.
    /// </summary>
    public DateTimeOffset? LastFailure { get { lock (_lock) return _lastFailure; } }

    /// <summary>How long the last reload took, whatever its outcome.</summary>
    public TimeSpan LastDuration { get { lock (_lock) return _lastDuration; } }

    /// <summary>Counts one finished reload that started at <paramref name="startedTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    internal void Record(ReloadResult result, long startedTimestamp)
    {
        var duration = Stopwatch.GetElapsedTime(startedTimestamp);
        lock (_lock)
        {
            _attempts++;
            _outcomes[(int)result.Outcome]++;
            _lastDuration = duration;
            if (result.Succeeded)
                _lastSuccess = DateTimeOffset.UtcNow;
            else
                _lastFailure = DateTimeOffset.UtcNow;
        }
    }
}
