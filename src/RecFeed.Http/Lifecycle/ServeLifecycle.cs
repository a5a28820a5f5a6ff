using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Slab;
using RecFeed.State;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// One <c>recfeed serve</c> from start to exit: load and verify the feeds file, restore read positions, start the
/// listeners, log the ready line, reload on SIGHUP or <c>POST /admin/reload</c>, snapshot read positions as they
/// move, and stop in order (listeners, pending reloads, snapshots, final snapshot). <see cref="RunAsync"/> is the
/// whole life; tests drive <see cref="StartAsync"/>, <see cref="ReloadAsync"/> and <see cref="StopAsync"/> one by one.
/// </summary>
public sealed class ServeLifecycle(ServeOptions options, ILoggerFactory logging, TextWriter stderr) : IAsyncDisposable
{
    private readonly ILogger _log = logging.CreateLogger("recfeed");
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _stopSnapshots = new();
    // Guards the start/stop state below against the signal thread.
    private readonly Lock _state = new();
    private bool _ready;
    private bool _stopRequested;
    private bool _hangupWhileStarting;
    private Task _reloads = Task.CompletedTask;

    private FeedService? _service;
    private StateLock? _stateLock;
    private StateKeeper? _keeper;
    private FeedReloader? _reloader;
    private HealthCheck? _health;
    private WebApplication? _public;
    private WebApplication? _admin;
    private Task _snapshots = Task.CompletedTask;
    private PosixSignalRegistration? _hangup;

    /// <summary>The loaded service; valid after <see cref="StartAsync"/> succeeded.</summary>
    public FeedService Service => _service ?? throw new InvalidOperationException("not started");

    /// <summary>The addresses the public listener really listens on (port 0 resolved), once started.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>The admin listener's addresses, empty when there is none.</summary>
    public IReadOnlyList<string> AdminAddresses { get; private set; } = [];

    /// <summary>
    /// The whole life: SIGHUP is taken over before anything else (its default action would end the process, and a
    /// reload asked for while loading runs once ready), then start, serve until <paramref name="stop"/> fires, stop.
    /// </summary>
    public async Task<ServeExit> RunAsync(CancellationToken stop)
    {
        // Kept until DisposeAsync, not just this method: a SIGHUP while the listeners are disposed must not end the
        // process with the signal's default action.
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            RequestReload("SIGHUP");
        });
        if (await StartAsync(stop) is { } failed)
            return failed;
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
        }
        // The first SIGINT/SIGTERM is what cancelled `stop`; a second one is an operator who will not wait.
        using var endDrain = new CancellationTokenSource();
        var signals = 0;
        void Again(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
                endDrain.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Again);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Again);
        return await StopAsync(endDrain.Token);
    }

    /// <summary>Loads, restores and starts listening; null once serving, otherwise why it could not start (already reported in one line).</summary>
    public async Task<ServeExit?> StartAsync(CancellationToken cancellationToken)
    {
        // The state file first: a second process on it (a replica started with the same paths) refuses at once.
        try
        {
            _stateLock = StateLock.Acquire(options.StatePath);
        }
        catch (StateLockException e)
        {
            stderr.WriteLine($"recfeed serve: {e.Message}");
            return ServeExit.CannotStart;
        }
        _log.LogInformation("loading {Path}", options.Data);
        FeedSlab slab;
        try
        {
            slab = FeedSlab.Load(options.Data, cancellationToken);
        }
        catch (FeedFileException e)
        {
            stderr.WriteLine($"recfeed serve: {options.Data}: {e.Message}");
            return ServeExit.BadData;
        }
        catch (OperationCanceledException)
        {
            return ServeExit.Interrupted;
        }

        _service = new FeedService(slab);
        if (OpenStateKeeper(_service) is not { } keeper)
            return ServeExit.CannotStart;
        _keeper = keeper;
        _reloader = new FeedReloader(_service, options.Data, keeper);
        _health = new HealthCheck(_service);
        _public = RecFeedServer.Build(_service, options.Urls, options.Transport, _health, options.LogFormat, options.Metrics);
        if (options.AdminUrls.Count > 0)
            _admin = AdminServer.Build(() => ReloadAsync("POST /admin/reload"), options.AdminUrls, options.LogFormat,
                options.Metrics == MetricsListener.Admin ? new MetricsHandler(_service) : null);
        try
        {
            await _public.StartAsync(cancellationToken);
            if (_admin != null)
                await _admin.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            stderr.WriteLine($"recfeed serve: cannot listen: {e.Message}");
            return ServeExit.CannotStart;
        }
        catch (OperationCanceledException)
        {
            return ServeExit.Interrupted;
        }

        Addresses = _public.ListeningAddresses();
        AdminAddresses = _admin?.ListeningAddresses() ?? [];
        if (!AdminServer.IsLoopbackOnly(AdminAddresses))
            _log.LogWarning("the admin listener is bound beyond loopback ({Addresses}): anyone who reaches it can trigger reloads", string.Join(' ', AdminAddresses));
        _log.LogInformation("ready: {Users} users x {Items} items, {Bytes} bytes in memory, loaded in {Seconds:F2} s, listening on {Addresses} (admin: {Admin}) over {Transport}",
            slab.UserCount, slab.ItemsPerUser, slab.Bytes + slab.UserCount * sizeof(ushort), slab.LoadTime.TotalSeconds,
            string.Join(' ', Addresses), AdminAddresses.Count > 0 ? string.Join(' ', AdminAddresses) : "off", options.Transport.Describe());

        var failedInARow = 0;
        var lastWritten = DateTimeOffset.UtcNow;
        _snapshots = keeper.RunAsync(options.SnapshotInterval,
            s =>
            {
                (failedInARow, lastWritten) = (0, DateTimeOffset.UtcNow);
                _log.LogDebug("snapshot: {Users} users past the start, {Bytes} bytes in {Ms:F1} ms", s.UsersPastStart, s.Bytes, s.Elapsed.TotalMilliseconds);
            },
            e => _log.LogError("snapshot to {Path} failed ({Failures} in a row, read positions of the last {Seconds:F0} s not on disk), retrying next round: {Message}",
                keeper.Path, ++failedInARow, (DateTimeOffset.UtcNow - lastWritten).TotalSeconds, e.Message),
            _stopSnapshots.Token);
        lock (_state)
        {
            _ready = true;
            if (_hangupWhileStarting && !_stopRequested)
                _reloads = ReloadAfterAsync(_reloads, "SIGHUP (received while starting)");
        }
        return null;
    }

    /// <summary>
    /// Restores read positions from the state file, whose lock <see cref="StartAsync"/> took before loading; an
    /// unreadable one becomes a one-line error and exit 1 here.
    /// </summary>
    private StateKeeper? OpenStateKeeper(FeedService service)
    {
        // The keeper is only kept on success; on failure the lock stays with the lifecycle and is released on dispose.
        var keeper = new StateKeeper(service, options.StatePath, _stateLock!);
        try
        {
            LogRestore(keeper.Path, keeper.Restore());
            return keeper;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"recfeed serve: {options.StatePath}: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// What SIGHUP does: a reload, queued behind any running one. While starting it is remembered and run once
    /// ready (the file may have been replaced during the load); while stopping it is ignored.
    /// </summary>
    public void RequestReload(string trigger)
    {
        lock (_state)
        {
            if (_stopRequested)
                _log.LogWarning("{Trigger}: ignored, the server is stopping", trigger);
            else if (_ready)
                _reloads = ReloadAfterAsync(_reloads, trigger);
            else if (!_hangupWhileStarting)
            {
                _hangupWhileStarting = true;
                _log.LogInformation("{Trigger}: received while starting, the reload runs once the server is ready", trigger);
            }
        }
    }

    private async Task ReloadAfterAsync(Task previous, string trigger)
    {
        await previous;
        await ReloadAsync(trigger);
    }

    /// <summary>Reloads the data path now, logs the outcome in one line and returns it. Never throws.</summary>
    public async Task<ReloadResult> ReloadAsync(string trigger)
    {
        var reloader = _reloader ?? throw new InvalidOperationException("not started");
        var started = Stopwatch.GetTimestamp();
        var result = await reloader.ReloadAsync(_stopping.Token);
        var level = result.Succeeded ? LogLevel.Information : LogLevel.Error;
        _log.Log(level, "{Trigger}: {Message} ({Outcome} in {Seconds:F3} s)",
            trigger, result.Message, result.Outcome.ToString().ToLowerInvariant(), Stopwatch.GetElapsedTime(started).TotalSeconds);
        return result;
    }

    /// <summary>
    /// Stops in order: no new reloads; /healthz answers 503 "draining" for <see cref="ServeOptions.DrainTime"/>
    /// while requests are still served, so a router takes this process out of rotation before it closes; then the
    /// listeners stop accepting and finish in-flight requests, reloads still running are abandoned and awaited,
    /// periodic snapshots end, and the final snapshot is written.
    /// </summary>
    /// <param name="endDrain">Ends the drain early (a second SIGINT/SIGTERM); the rest of the stop still runs.</param>
    public async Task<ServeExit> StopAsync(CancellationToken endDrain = default)
    {
        Task reloads;
        lock (_state)
        {
            _stopRequested = true;
            reloads = _reloads;
        }
        var started = Stopwatch.GetTimestamp();
        await _stopping.CancelAsync();
        if (_health != null && options.DrainTime > TimeSpan.Zero)
        {
            _health.StartDraining();
            _log.LogInformation("stopping: draining, /healthz answers 503 for {Seconds:F1} s while requests are still served, then the listener closes",
                options.DrainTime.TotalSeconds);
            try
            {
                await Task.Delay(options.DrainTime, endDrain);
            }
            catch (OperationCanceledException)
            {
                _log.LogWarning("stopping: drain cut short (a second SIGINT/SIGTERM)");
            }
        }
        _log.LogInformation("stopping: listeners closed to new connections, in-flight requests get up to {Seconds:F0} s",
            RecFeedServer.ShutdownTimeout.TotalSeconds);
        if (_public != null)
            await _public.StopAsync(CancellationToken.None);
        if (_admin != null)
            await _admin.StopAsync(CancellationToken.None);
        await reloads;
        await _stopSnapshots.CancelAsync();
        await _snapshots;
        return _keeper is { } keeper ? WriteFinalSnapshot(keeper, started) : ServeExit.Stopped;
    }

    private ServeExit WriteFinalSnapshot(StateKeeper keeper, long stopStarted)
    {
        try
        {
            var snapshot = keeper.WriteIfChanged();
            var stopSeconds = Stopwatch.GetElapsedTime(stopStarted).TotalSeconds;
            if (snapshot is { } s)
                _log.LogInformation("stopped: final snapshot written to {Path}, {Users} users past the start, {Bytes} bytes in {Ms:F1} ms; the stop took {StopSeconds:F2} s",
                    keeper.Path, s.UsersPastStart, s.Bytes, s.Elapsed.TotalMilliseconds, stopSeconds);
            else
                _log.LogInformation("stopped: no read position moved since the last snapshot in {Path}; the stop took {StopSeconds:F2} s", keeper.Path, stopSeconds);
            return ServeExit.Stopped;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogError("stopped, but the final snapshot to {Path} failed: {Message}", keeper.Path, e.Message);
            return ServeExit.FinalSnapshotFailed;
        }
    }

    private void LogRestore(string path, StateRestore restored)
    {
        switch (restored.Outcome)
        {
            case RestoreOutcome.Restored:
                _log.LogInformation("read positions restored from {Path}: {Users} users past the start (snapshot of {WrittenAt:u}, base + {Records} journal records)",
                    path, restored.UsersPastStart, restored.WrittenAt, restored.Records);
                if (restored.Reason is { } dropped)
                    _log.LogWarning("state file {Path}: {Dropped}", path, dropped);
                break;
            case RestoreOutcome.Missing:
                _log.LogInformation("no state file at {Path} yet: every user starts at the beginning", path);
                break;
            case RestoreOutcome.Mismatch:
                _log.LogWarning("state file {Path} not used, {Reason}: every user starts from zero and the next snapshot replaces it", path, restored.Reason);
                break;
            case RestoreOutcome.Corrupt:
                _log.LogError("state file {Path} is unusable ({Reason}); {Aside}; every user starts from zero", path, restored.Reason,
                    restored.MovedTo is { } aside ? $"kept as {aside}" : "could not be renamed aside, the next snapshot replaces it");
                break;
        }
    }

    /// <summary>Frees everything; after <see cref="StopAsync"/>, or instead of it when the start failed.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_state)
            _stopRequested = true;
        await _stopping.CancelAsync();
        if (_public != null)
            await _public.DisposeAsync();
        if (_admin != null)
            await _admin.DisposeAsync();
        await _reloads;
        await _stopSnapshots.CancelAsync();
        await _snapshots;
        _reloader?.Dispose();
        // After the final snapshot. The keeper owns the state lock once it exists; before that (a start that failed
        // between taking the lock and restoring) the lifecycle still does.
        if (_keeper is { } keeper)
            keeper.Dispose();
        else
            _stateLock?.Dispose();
        _service?.Dispose();
        _stopping.Dispose();
        _stopSnapshots.Dispose();
        _hangup?.Dispose();
    }
}
