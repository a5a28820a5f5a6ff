using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// One accepted socket as Kestrel sees it: a <see cref="ConnectionContext"/> whose transport is two pipes. Its socket
/// work (receive, send, close) runs only on its <see cref="EpollLoop"/>; Kestrel's calls from other threads
/// (<see cref="Abort"/>, flushes) reach it through the loop's queue. The fd is closed once, by
/// <see cref="Close"/>, after which a reused fd number cannot be confused with this connection. After its loop has
/// exited, queued work runs on the threads that schedule it, possibly two at once: whichever takes the fd out of
/// <c>_fd</c> first is the one that closes it.
/// </summary>
internal sealed partial class EpollConnection : ConnectionContext, IDuplexPipe, IConnectionIdFeature,
    IConnectionTransportFeature, IConnectionItemsFeature, IConnectionLifetimeFeature, IMemoryPoolFeature
{
    private static long s_lastId;
    private static readonly Action<object?> StartOnLoop = static s => ((EpollConnection)s!).Start();
    private static readonly Action<object?> CloseOnLoop = static s =>
    {
        var connection = (EpollConnection)s!;
        connection.Close(connection._abortReason);
    };

    private readonly EpollLoop _loop;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly FeatureCollection _features = new(7);
    private readonly CancellationTokenSource _closedSource = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _fd;
    private ulong _token;
    private bool _registered;
    private bool _refused;
    private volatile ConnectionAbortedException? _abortReason;
    private Exception? _closeError;
    private int _closedFired;
    private long _inputHeld;
    private long _outputHeld;
    private bool _pausedCounted;
    private bool _blockedCounted;
    private IDuplexPipe _transport;
    private IDictionary<object, object?>? _items;
    private string? _id;

    public EpollConnection(int fd, EpollLoop loop, EndPoint? local, EndPoint? remote)
    {
        _fd = fd;
        _loop = loop;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        _input = new Pipe(loop.InputOptions);
        _output = new Pipe(loop.OutputOptions);
        _onFlushed = OnFlushed;
        _onOutput = OnOutput;
        _transport = this;
        ConnectionClosed = _closedSource.Token;
        _features.Set<IConnectionIdFeature>(this);
        _features.Set<IConnectionTransportFeature>(this);
        _features.Set<IConnectionItemsFeature>(this);
        _features.Set<IConnectionLifetimeFeature>(this);
        _features.Set<IMemoryPoolFeature>(this);
    }

    public override string ConnectionId
    {
        get => _id ??= $"epoll-{Interlocked.Increment(ref s_lastId):x}";
        set => _id = value;
    }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    public override IDuplexPipe Transport
    {
        get => _transport;
        set => _transport = value;
    }

    public MemoryPool<byte> MemoryPool => _loop.InputOptions.Pool;

    PipeReader IDuplexPipe.Input => _input.Reader;
    PipeWriter IDuplexPipe.Output => _output.Writer;

    /// <summary>Hands the connection to its loop, which registers it with epoll and starts sending what Kestrel writes.</summary>
    public void Schedule() => _loop.Schedule(StartOnLoop, this);

    private void Start()
    {
        if (_fd < 0)
            return;
        if (_loop.Stopping)
        {
            Close(new ConnectionAbortedException("The server is stopping."));
            return;
        }
        _registered = _loop.Register(this, _fd, out _token);
        if (!_registered)
        {
            _refused = true;
            Close(new IOException($"epoll_ctl failed for a new connection (errno {LinuxNet.Errno})"));
            return;
        }
        ContinueSend();
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _abortReason ??= abortReason;
        _loop.Schedule(CloseOnLoop, this);
    }

    void IConnectionLifetimeFeature.Abort() =>
        Abort(new ConnectionAbortedException("The connection was aborted by the application via IConnectionLifetimeFeature.Abort()."));

    /// <summary>
    /// On the loop: closes the socket (and so its epoll registration) and ends both pipes; a pending flush or read
    /// is cancelled and its continuation completes the pipe end. Null <paramref name="error"/> is a clean end (FIN
    /// after what was sent). An abort resets the connection, as Kestrel's sockets transport does: the client sees
    /// the response was cut, and the kernel does not go on sending a queue nobody will complete.
    /// </summary>
    internal void Close(Exception? error)
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0)
            return;
        if (error is not null)
            LinuxNet.ResetOnClose(fd);
        else
            DiscardUnreadInput(fd);
        LinuxNet.Close(fd);
        if (_registered)
            _loop.Release(_token);
        Interlocked.Increment(ref _loop.Counters.Closed[(int)CloseReason(error)]);
        Interlocked.Add(ref _loop.Counters.InputHeld, -_inputHeld);
        Interlocked.Add(ref _loop.Counters.OutputHeld, -_outputHeld);
        Count(ref _pausedCounted, false, ref _loop.Counters.InputPaused);
        Count(ref _blockedCounted, false, ref _loop.Counters.OutputBlocked);
        _closeError = error;
        if (_flushPending)
            _input.Writer.CancelPendingFlush();
        else
            EndReceive(error);
        if (_readPending)
            _output.Reader.CancelPendingRead();
        else
            _output.Reader.Complete(error);
        FireConnectionClosed();
        _closed.TrySetResult();
    }

    /// <summary>
    /// Requests a client pipelined beyond what Kestrel answered stay in the socket's receive buffer, since the input
    /// held per connection is bounded; closing a socket with unread input makes the kernel send a reset, which can
    /// destroy the responses still on their way. Read away first (up to 1 MiB, the old bound), close() sends a FIN
    /// after the last response.
    /// </summary>
    private static unsafe void DiscardUnreadInput(int fd)
    {
        const int Chunk = 4096, MaxReads = 256;
        var buffer = stackalloc byte[Chunk];
        for (var i = 0; i < MaxReads && LinuxNet.Recv(fd, buffer, Chunk, 0) > 0; i++)
        {
        }
    }

    /// <summary>The client left first, or the socket failed, before Kestrel ended the connection itself.</summary>
    private EpollCloseReason CloseReason(Exception? error) =>
        _refused ? EpollCloseReason.Limit
        : _receiveFailed || error is IOException ? EpollCloseReason.Reset
        : _peerEnded ? EpollCloseReason.Client
        : error is null ? EpollCloseReason.Server
        : EpollCloseReason.Aborted;

    /// <summary>
    /// On the loop, after each event of this connection: what its pipes hold now, whether its reading is paused
    /// (Kestrel has not consumed the input up to its bound) and whether its sending is blocked (the socket takes no
    /// more), added to the loop's totals as changes. Kestrel runs inline on the loop, so it is what it left after
    /// handling the event.
    /// </summary>
    private void CountHeld()
    {
        if (_fd < 0)
            return;
        var input = PipeLength.Of(_input);
        var output = PipeLength.Of(_output);
        if (input != _inputHeld)
        {
            Interlocked.Add(ref _loop.Counters.InputHeld, input - _inputHeld);
            _inputHeld = input;
        }
        if (output != _outputHeld)
        {
            Interlocked.Add(ref _loop.Counters.OutputHeld, output - _outputHeld);
            _outputHeld = output;
        }
        Count(ref _pausedCounted, _flushPending, ref _loop.Counters.InputPaused);
        Count(ref _blockedCounted, _writePending, ref _loop.Counters.OutputBlocked);
    }

    /// <summary>Moves the loop's count of connections in a state by this connection's change into or out of it.</summary>
    private static void Count(ref bool counted, bool now, ref long total)
    {
        if (counted == now)
            return;
        Interlocked.Add(ref total, now ? 1 : -1);
        counted = now;
    }

    /// <summary>Like Kestrel's own transports: the token fires on the thread pool, never inside the loop.</summary>
    private void FireConnectionClosed()
    {
        if (Interlocked.Exchange(ref _closedFired, 1) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static source => source.Cancel(), _closedSource, preferLocal: false);
    }

    public override async ValueTask DisposeAsync()
    {
        _transport.Input.Complete();
        _transport.Output.Complete();
        await _closed.Task.ConfigureAwait(false);
    }
}
