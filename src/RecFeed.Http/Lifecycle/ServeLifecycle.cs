using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Http.Admin;
using RecFeed.Http.Endpoints;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Slab;
using RecFeed.State;
using RecFeed.Sync;
using RecFeed.Transport.Epoll;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// One <c>recfeed serve</c> from start to exit; the CLI and the in-process tests compose the server through it alike.
/// <see cref="StartAsync"/> takes the state file's lock, loads and verifies the feeds file, restores read positions
/// (the state file, then the position sync's first round), starts the listeners (public, then admin), logs the ready
/// line, starts the snapshot and sync loops and opens the reload queue. The stop is the reverse
/// (<see cref="StopCoreAsync"/>, written once): close the reload queue and drain, end the snapshot loop, close the
/// listeners, end the sync with a last round, write the final snapshot; <see cref="DisposeAsync"/> then frees what
/// the start acquired, in reverse. <see cref="RunAsync"/> is the whole life with its signals.
/// </summary>
public sealed class ServeLifecycle : IAsyncDisposable
{
    private readonly ServeOptions _options;
    private readonly TextWriter _stderr;
    private readonly ILogger _log;
    private readonly ReloadQueue _reloads;
    // What the start acquired (state lock, service, keeper, reloader, listeners), freed last-first by DisposeAsync.
    private readonly Stack<Func<ValueTask>> _acquired = new();
    // The listeners that started, closed last-first.
    private readonly Stack<WebApplication> _listening = new();
    // Cancelled when an epoll loop fails: serve stops as on a signal and exits TransportFailed.
    private readonly CancellationTokenSource _transportFailed = new();
    private IServiceProvider? _publicServices;
    private FeedService? _service;
    private HealthCheck? _health;
    private StateKeeper? _keeper;
    private SnapshotLoop? _snapshots;
    private PositionSyncLoop? _sync;
    private ServeSignals? _signals;
    private Task<ServeExit>? _stop;

    public ServeLifecycle(ServeOptions options, ILoggerFactory logging, TextWriter stderr)
    {
        (_options, _stderr) = (options, stderr);
        _log = logging.CreateLogger("recfeed");
        _reloads = new ReloadQueue(_log);
    }

    /// <summary>What this process counts: requests, items, reloads, snapshots (what /metrics shows).</summary>
    public ServeStatistics Statistics { get; } = new();

    /// <summary>The loaded service; valid after <see cref="StartAsync"/> succeeded.</summary>
    public FeedService Service => _service ?? throw new InvalidOperationException("not started");

    /// <summary>The addresses the public listener really listens on (port 0 resolved), once started.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>The admin listener's addresses, empty when there is none.</summary>
    public IReadOnlyList<string> AdminAddresses { get; private set; } = [];

    /// <summary>The public listener's services, once started: where tests reach the transport.</summary>
    internal IServiceProvider PublicServices => _publicServices ?? throw new InvalidOperationException("not started");

    /// <summary>
    /// The whole life: the signals are taken over before anything else (SIGHUP's default action would end the
    /// process, and a reload asked for while loading runs once ready), then start, serve until the first SIGINT or
    /// SIGTERM (or <paramref name="stop"/>), stop: with the drain on SIGTERM, without it on SIGINT.
    /// </summary>
    public async Task<ServeExit> RunAsync(CancellationToken stop)
    {
        var signals = _signals = new ServeSignals(RequestReload);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stop, signals.Stop, _transportFailed.Token);
        if (await StartAsync(stopping.Token) is { } failed)
            return failed;
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException) { }
        var exit = signals.Interrupted ? await InterruptAsync() : await StopAsync(signals.EndDrain);
        return _transportFailed.IsCancellationRequested && exit == ServeExit.Stopped ? ServeExit.TransportFailed : exit;
    }

    /// <summary>An epoll loop failed (the transport logged it): serve stops as on a signal, on the thread pool, not on the failed loop.</summary>
    private void OnLoopFailed(Exception failure) => _ = _transportFailed.CancelAsync();

    /// <summary>Starts serving; null once serving, otherwise why it could not start (already reported in one line).</summary>
    public async Task<ServeExit?> StartAsync(CancellationToken cancellationToken)
    {
        // The state file first: a second process on it (a replica started with the same paths) refuses at once.
        StateLock stateLock;
        try
        {
            stateLock = Acquire(StateLock.Acquire(_options.StatePath));
        }
        catch (StateLockException e)
        {
            return Refuse(ServeExit.CannotStart, e.Message);
        }
        _log.Loading(_options.Data);
        FeedSlab slab;
        try
        {
            slab = FeedSlab.Load(_options.Data, cancellationToken);
        }
        catch (Exception e) when (e is FeedFileException or OperationCanceledException)
        {
            return e is FeedFileException ? Refuse(ServeExit.BadData, $"{_options.Data}: {e.Message}") : ServeExit.Interrupted;
        }
        var service = _service = Acquire(new FeedService(slab, Statistics.Feed));
        var keeper = Acquire(new StateKeeper(service, _options.StatePath, stateLock, Statistics.Snapshots));
        try
        {
            _log.Restored(keeper.Path, keeper.Restore());
        }
        catch (IOException e)
        {
            return Refuse(ServeExit.CannotStart, $"{_options.StatePath}: {e.Message}");
        }
        _keeper = keeper;
        var reloader = Acquire(new FeedReloader(service, _options.Data, Statistics.Reloads, keeper.FollowNewDataset, Statistics.Deltas));
        DeltaStart.Apply(reloader, keeper, _log);
        if (_options.PositionsRedis is { } redis)
            await (_sync = Acquire(new PositionSyncLoop(new PositionSync(service, redis, Statistics.Sync), _options.PositionsSyncInterval,
                Statistics.Sync, _log))).FirstRoundAsync(cancellationToken);
        _reloads.Attach(reloader);
        if (await StartListenersAsync(service, cancellationToken) is { } failed)
            return failed;
        _log.Ready(slab.UserCount, slab.ItemsPerUser, slab.Bytes + slab.UserCount * sizeof(ushort), slab.LoadTime.TotalSeconds,
            string.Join(' ', Addresses), AdminAddresses.Count > 0 ? string.Join(' ', AdminAddresses) : "off", _options.Transport.Describe(),
            DescriptorLimit.Soft);
        _snapshots = new SnapshotLoop(keeper, _options.SnapshotInterval, _log);
        _sync?.Start();
        _reloads.Open();
        return null;
    }

    private async Task<ServeExit?> StartListenersAsync(FeedService service, CancellationToken cancellationToken)
    {
        _health = new HealthCheck(service);
        var listeners = new List<WebApplication>
        {
            PublicListener.Build(service, Statistics, _options.Urls, _options.Transport with { LoopFailed = OnLoopFailed }, _health,
                _options.LogFormat, _options.Metrics),
        };
        if (_options.AdminUrls.Count > 0)
            listeners.Add(AdminListener.Build(() => ReloadAsync("POST /admin/reload"), _options.AdminUrls, _options.LogFormat,
                _options.Metrics == MetricsListener.Admin
                    ? new MetricsHandler(service, Statistics, listeners[0].Services.GetService<EpollTransportMetrics>())
                    : null));
        foreach (var listener in listeners)
            _acquired.Push(listener.DisposeAsync);
        try
        {
            foreach (var listener in listeners)
            {
                await listener.StartAsync(cancellationToken);
                _listening.Push(listener);
            }
        }
        catch (IOException e)
        {
            return Refuse(ServeExit.CannotStart, $"cannot listen: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            return ServeExit.Interrupted;
        }
        _publicServices = listeners[0].Services;
        Addresses = listeners[0].ListeningAddresses();
        AdminAddresses = listeners.Count > 1 ? listeners[1].ListeningAddresses() : [];
        if (!AdminListener.IsLoopbackOnly(AdminAddresses))
            _log.AdminBeyondLoopback(string.Join(' ', AdminAddresses));
        return null;
    }

    private T Acquire<T>(T owned) where T : IDisposable
    {
        _acquired.Push(() => { owned.Dispose(); return ValueTask.CompletedTask; });
        return owned;
    }

    private ServeExit Refuse(ServeExit exit, string why)
    {
        _stderr.WriteLine($"recfeed serve: {why}");
        return exit;
    }

    /// <summary>What SIGHUP does: a reload, queued; see <see cref="ReloadQueue.Request"/>.</summary>
    public void RequestReload(string trigger) => _reloads.Request(trigger);

    /// <summary>Reloads the data path now, logs the outcome in one line and returns it. Never throws.</summary>
    public Task<ReloadResult> ReloadAsync(string trigger) => _reloads.ReloadAsync(trigger);

    /// <summary>
    /// The stop a supervisor asks for (SIGTERM): /healthz answers 503 "draining" for <see cref="ServeOptions.DrainTime"/>
    /// while requests are still served, then the rest of the stop.
    /// </summary>
    /// <param name="endDrain">Ends the drain early (a second SIGINT/SIGTERM); the rest of the stop still runs.</param>
    public Task<ServeExit> StopAsync(CancellationToken endDrain = default) => _stop ??= StopCoreAsync(drain: true, finalSnapshot: true, endDrain);

    /// <summary>The stop a person asks for with Ctrl-C (SIGINT): no drain; in-flight requests finished, final snapshot written.</summary>
    public Task<ServeExit> InterruptAsync() => _stop ??= StopCoreAsync(drain: false, finalSnapshot: true, default);

    /// <summary>The reverse of <see cref="StartAsync"/>; each step passes over what did not start.</summary>
    private async Task<ServeExit> StopCoreAsync(bool drain, bool finalSnapshot, CancellationToken endDrain)
    {
        var started = Stopwatch.GetTimestamp();
        await _reloads.CloseAsync();
        if (finalSnapshot && _health != null)
        {
            if (drain)
                await Drain.RunAsync(_health, _options.DrainTime, _log, endDrain);
            else
                _log.Interrupted();
        }
        if (_snapshots != null)
            await _snapshots.StopAsync();
        if (finalSnapshot)
            _log.ClosingListeners(ListenerHost.ShutdownTimeout.TotalSeconds);
        while (_listening.TryPop(out var listener))
            await listener.StopAsync(CancellationToken.None);
        if (_sync != null)
            await _sync.StopAsync();
        return finalSnapshot && _keeper is { } keeper ? SnapshotLoop.WriteFinal(keeper, _log, started) : ServeExit.Stopped;
    }

    /// <summary>
    /// Frees everything the start acquired, last-first. After <see cref="StopAsync"/> there is nothing left to stop;
    /// instead of it (a start that failed) the stop runs without a drain or a final snapshot.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await (_stop ??= StopCoreAsync(drain: false, finalSnapshot: false, default));
        while (_acquired.TryPop(out var free))
            await free();
        _snapshots?.Dispose();
        _reloads.Dispose();
        _signals?.Dispose();
        _transportFailed.Dispose();
    }
}
