using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// Kestrel's transport for IP endpoints: an <see cref="EpollListener"/> per bound address, all served by one set of
/// loops (<see cref="EpollTransportOptions.LoopCount"/> of them, whatever the number of addresses), created by the
/// first bind and ended when the last listener is disposed. The first loop accepts for every listener.
/// </summary>
internal sealed class EpollTransportFactory(IMemoryPoolFactory<byte> pools, EpollTransportOptions options, EpollTransportMetrics metrics,
    ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly EpollTrace _trace = new(loggers.CreateLogger("RecFeed.Transport.Epoll"));
    private readonly Lock _gate = new();
    private EpollLoop[]? _loops;
    private MemoryPool<byte>? _pool;
    private int _listeners;

    // Only the first loop's thread moves it, once per accepted connection. Unsigned, so it wraps to 0 and never
    // turns a negative index (an int did after 2^31 connections).
    private ulong _nextLoop;

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public EpollTrace Trace => _trace;

    public EpollTransportMetrics Metrics => metrics;

    /// <summary>Where new connections start, if anywhere but Kestrel.</summary>
    public IRequestLane? Lane => options.Lane;

    /// <summary>The running loops; valid while some listener is bound.</summary>
    internal EpollLoop[] Loops => _loops ?? throw new InvalidOperationException("no listener is bound");

    /// <summary>Where the next connection goes; the seam lets a test start next to the wrap.</summary>
    internal ulong NextLoopIndex
    {
        get => _nextLoop;
        set => _nextLoop = value;
    }

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        EpollLoop[] loops;
        lock (_gate)
        {
            loops = _loops ??= StartLoops();
            _listeners++;
        }
        try
        {
            return new(EpollListener.Bind((IPEndPoint)endpoint, loops[0], this));
        }
        catch
        {
            _ = ReleaseAsync().AsTask();
            throw;
        }
    }

    /// <summary>On the first loop, for each connection accepted: the loops take connections in turn.</summary>
    public EpollLoop NextLoop()
    {
        var loops = _loops!;
        return loops[(int)(_nextLoop++ % (ulong)loops.Length)];
    }

    private EpollLoop[] StartLoops()
    {
        var pool = pools.Create(new MemoryPoolOptions { Owner = "recfeed-epoll" });
        var loops = new EpollLoop[options.LoopCount];
        try
        {
            for (var i = 0; i < loops.Length; i++)
                loops[i] = new EpollLoop(i, pool, options, metrics.Loops[i], _trace);
        }
        catch
        {
            pool.Dispose();
            throw;
        }
        foreach (var loop in loops)
            loop.Start();
        _pool = pool;
        return loops;
    }

    /// <summary>A listener is done; the last one ends the loops (aborting what connections remain) and frees the pool.</summary>
    public async ValueTask ReleaseAsync()
    {
        EpollLoop[] loops;
        MemoryPool<byte> pool;
        lock (_gate)
        {
            if (--_listeners > 0)
                return;
            (loops, pool) = (_loops!, _pool!);
            (_loops, _pool) = (null, null);
        }
        foreach (var loop in loops)
            loop.Stop();
        await Task.WhenAll(loops.Select(l => l.Exited)).ConfigureAwait(false);
        pool.Dispose();
    }
}
