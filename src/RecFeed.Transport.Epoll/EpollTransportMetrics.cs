using RecFeed.Transport.Epoll.Internal;

namespace RecFeed.Transport.Epoll;

/// <summary>Why a connection ended, as the transport saw it.</summary>
public enum EpollCloseReason
{
    /// <summary>The client closed its side (FIN) first.</summary>
    Client,

    /// <summary>The socket failed: reset by the peer, or a send or receive error.</summary>
    Reset,

    /// <summary>
    /// Kestrel ended it cleanly: a keep-alive or request-headers timeout, a request refused over a limit (4xx, then
    /// close), <c>Connection: close</c>, or a stop.
    /// </summary>
    Server,

    /// <summary>Kestrel aborted it (a minimum data rate not met, an application abort, a stop that ran out of time).</summary>
    Aborted,

    /// <summary>The transport could not take it on: registering it with epoll failed (epoll's watch limit, or memory).</summary>
    Limit,
}

/// <summary>
/// What the epoll transport is doing, for <c>/metrics</c>: kept per loop in plain fields its thread writes (atomics
/// only for what another thread may touch), summed here when read. Registered as a singleton by <c>UseEpoll</c>.
/// </summary>
public sealed class EpollTransportMetrics
{
    internal EpollTransportMetrics(int loops)
    {
        Loops = new LoopCounters[loops];
        for (var i = 0; i < loops; i++)
            Loops[i] = new LoopCounters();
    }

    internal LoopCounters[] Loops { get; }

    public int LoopCount => Loops.Length;

    public long ConnectionsAccepted => Sum(static c => Volatile.Read(ref c.Accepted));

    /// <summary>Accepted and not closed yet.</summary>
    public long ConnectionsOpen
    {
        get
        {
            var closed = 0L;
            foreach (var reason in Enum.GetValues<EpollCloseReason>())
                closed += ConnectionsClosed(reason);
            return ConnectionsAccepted - closed;
        }
    }

    public long ConnectionsClosed(EpollCloseReason reason) => Sum(c => Volatile.Read(ref c.Closed[(int)reason]));

    /// <summary>Connections the fast lane (<see cref="EpollTransportOptions.Lane"/>) gave to Kestrel; the rest of those accepted stayed with it.</summary>
    public long ConnectionsHandedOff => Sum(static c => Volatile.Read(ref c.HandedOff));

    /// <summary>Times accepting paused because descriptors or memory ran out (EMFILE, ENFILE, ENOBUFS, ENOMEM).</summary>
    public long AcceptPauses => Sum(static c => Volatile.Read(ref c.AcceptPauses));

    /// <summary>Received bytes Kestrel has not consumed yet, over all connections.</summary>
    public long InputBytesHeld => Sum(static c => Volatile.Read(ref c.InputHeld));

    /// <summary>Response bytes Kestrel has written that are not sent yet, over all connections.</summary>
    public long OutputBytesHeld => Sum(static c => Volatile.Read(ref c.OutputHeld));

    /// <summary>
    /// Connections whose reading is paused: they sent more than Kestrel has consumed, up to the input bound (a client
    /// that pipelines and does not read its answers, or a slow handler). The socket's own buffer pushes back on them.
    /// </summary>
    public long InputPausedConnections => Sum(static c => Volatile.Read(ref c.InputPaused));

    /// <summary>Connections whose answers wait for the socket to take more: the client reads slowly, or not at all.</summary>
    public long OutputBlockedConnections => Sum(static c => Volatile.Read(ref c.OutputBlocked));

    /// <summary>Time loop <paramref name="loop"/> spent handling events, not waiting for them.</summary>
    public TimeSpan BusyTime(int loop) => TimeSpan.FromSeconds(Volatile.Read(ref Loops[loop].BusyTicks) / (double)System.Diagnostics.Stopwatch.Frequency);

    private long Sum(Func<LoopCounters, long> read)
    {
        var total = 0L;
        foreach (var loop in Loops)
            total += read(loop);
        return total;
    }
}
