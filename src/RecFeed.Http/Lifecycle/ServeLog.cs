using Microsoft.Extensions.Logging;
using RecFeed.State;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// Every line one <c>recfeed serve</c> logs, worded once and source-generated (no boxing, no template parsing at run
/// time). Tests, docs/operations.md and the shipped alert rules read these words: change them only with those.
/// </summary>
internal static partial class ServeLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "loading {Path}")]
    public static partial void Loading(this ILogger log, string path);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "the admin listener is bound beyond loopback ({Addresses}): anyone who reaches it can trigger reloads")]
    public static partial void AdminBeyondLoopback(this ILogger log, string addresses);

    /// <param name="feeds">Empty, or "; named feeds: NAME (...), ..." with what each named feed loaded.</param>
    [LoggerMessage(Level = LogLevel.Information, Message = "ready: {Users} users x {Items} items, {Bytes} bytes in memory, loaded in {Seconds:F2} s{Feeds}, " +
        "listening on {Addresses} (admin: {Admin}) over {Transport}, up to {Descriptors} open files")]
    public static partial void Ready(this ILogger log, ulong users, int items, ulong bytes, double seconds, string feeds, string addresses, string admin,
        string transport, ulong descriptors);

    [LoggerMessage(Level = LogLevel.Debug, Message = "snapshot: {Users} users past the start, {Bytes} bytes in {Ms:F1} ms")]
    public static partial void Snapshot(this ILogger log, ulong users, long bytes, double ms);

    [LoggerMessage(Level = LogLevel.Error, Message = "snapshot to {Path} failed ({Failures} in a row, read positions of the last {Seconds:F0} s " +
        "not on disk), retrying next round: {Message}")]
    public static partial void SnapshotFailed(this ILogger log, string path, int failures, double seconds, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Trigger}: ignored, the server is stopping")]
    public static partial void ReloadIgnored(this ILogger log, string trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Trigger}: received while starting, the reload runs once the server is ready")]
    public static partial void ReloadDeferred(this ILogger log, string trigger);

    /// <summary>Information when the reload succeeded (accepted or skipped), Error otherwise.</summary>
    [LoggerMessage(Message = "{Trigger}: {Message} ({Outcome} in {Seconds:F3} s)")]
    public static partial void Reloaded(this ILogger log, LogLevel level, string trigger, string message, string outcome, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: draining, /healthz answers 503 for {Seconds:F1} s while requests are still " +
        "served, then the listener closes")]
    public static partial void Draining(this ILogger log, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopping: drain cut short (a second SIGINT/SIGTERM)")]
    public static partial void DrainCutShort(this ILogger log);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: interrupted (SIGINT), no drain")]
    public static partial void Interrupted(this ILogger log);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: listeners closed to new connections, in-flight requests get up to {Seconds:F0} s")]
    public static partial void ClosingListeners(this ILogger log, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped: final snapshot written to {Path}, {Users} users past the start, {Bytes} bytes " +
        "in {Ms:F1} ms; the stop took {StopSeconds:F2} s")]
    public static partial void StoppedWithSnapshot(this ILogger log, string path, ulong users, long bytes, double ms, double stopSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped: no read position moved since the last snapshot in {Path}; the stop took " +
        "{StopSeconds:F2} s")]
    public static partial void StoppedUnchanged(this ILogger log, string path, double stopSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "stopped, but the final snapshot to {Path} failed: {Message}")]
    public static partial void FinalSnapshotFailed(this ILogger log, string path, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "positions sync: sharing read positions through {Address} every {Seconds:0.###} s, " +
        "{Users} users taken in from it")]
    public static partial void SyncUp(this ILogger log, string address, double seconds, long users);

    [LoggerMessage(Level = LogLevel.Warning, Message = "positions sync paused: {Message}; serving goes on, retrying with backoff up to {MaxSeconds:F0} s")]
    public static partial void SyncPaused(this ILogger log, string message, double maxSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "positions sync resumed: {Address} answers again after {Failures} failed rounds, " +
        "{Users} users taken in from it")]
    public static partial void SyncResumed(this ILogger log, string address, int failures, long users);

    /// <summary>What <see cref="StateKeeper.Restore"/> found, in one line (two when part of a restored file was dropped).</summary>
    public static void Restored(this ILogger log, string path, StateRestore restored)
    {
        switch (restored.Outcome)
        {
            case RestoreOutcome.Restored:
                log.StateRestored(path, restored.UsersPastStart, restored.WrittenAt, restored.Records);
                if (restored.Reason is { } dropped)
                    log.StateDropped(path, dropped);
                break;
            case RestoreOutcome.Missing:
                log.StateMissing(path);
                break;
            case RestoreOutcome.Mismatch:
                log.StateMismatch(path, restored.Reason);
                break;
            case RestoreOutcome.Corrupt:
                log.StateCorrupt(path, restored.Reason,
                    restored.MovedTo is { } aside ? $"kept as {aside}" : "could not be renamed aside, the next snapshot replaces it");
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "read positions restored from {Path}: {Users} users past the start (snapshot of " +
        "{WrittenAt:u}, base + {Records} journal records)")]
    private static partial void StateRestored(this ILogger log, string path, ulong users, DateTimeOffset? writtenAt, int records);

    [LoggerMessage(Level = LogLevel.Warning, Message = "state file {Path}: {Dropped}")]
    private static partial void StateDropped(this ILogger log, string path, string dropped);

    [LoggerMessage(Level = LogLevel.Information, Message = "no state file at {Path} yet: every user starts at the beginning")]
    private static partial void StateMissing(this ILogger log, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "state file {Path} not used, {Reason}: every user starts from zero and the next snapshot replaces it")]
    private static partial void StateMismatch(this ILogger log, string path, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "state file {Path} is unusable ({Reason}); {Aside}; every user starts from zero")]
    private static partial void StateCorrupt(this ILogger log, string path, string? reason, string aside);

    [LoggerMessage(Level = LogLevel.Information, Message = "delta applied: {Name}, {Users} users, {Bytes} bytes in memory; {Positions}")]
    public static partial void DeltaApplied(this ILogger log, string name, ulong users, ulong bytes, string positions);

    /// <summary>A delta rejected or superseded: the line says which and why.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Line}")]
    public static partial void DeltaRefused(this ILogger log, string line);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "delta state file {Path} not used ({Reason}): the deltas' users start their new lists from the beginning")]
    public static partial void DeltaStateUnusable(this ILogger log, string path, string reason);
}
