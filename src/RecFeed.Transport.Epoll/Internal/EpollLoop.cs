using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Runtime.InteropServices;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// One thread around one epoll instance: it receives, runs Kestrel inline on what it received, and sends, for the
/// connections it owns. As a <see cref="PipeScheduler"/> it is where every pipe continuation of those connections
/// runs, so a connection's socket is only ever touched by this thread: work scheduled from another thread is queued
/// and the loop woken through an eventfd; work scheduled on the loop runs after the event that caused it. No exception
/// leaves the thread: a loop that cannot go on closes what it owns, logs one line and reports it
/// (<see cref="EpollTransportOptions.LoopFailed"/>), and its queue then runs on the threads that schedule work.
/// </summary>
internal sealed unsafe partial class EpollLoop : PipeScheduler
{
    private const int MaxEvents = 256;

    // The low 32 bits of an event's data are a connection's slot, which stays far below these.
    private const uint WakeSlot = uint.MaxValue;
    private const uint FirstListenerSlot = 0xFFFF_0000;

    private readonly int _index;
    private readonly int _epoll;
    private readonly int _wake;
    private readonly EpollTrace _trace;
    private readonly Action<Exception>? _failed;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<(Action<object?> Action, object? State)> _remote = new();
    private readonly Queue<(Action<object?> Action, object? State)> _local = new();
    private int _wakePending;
    private int _exitedFlag;
    private int _threadId;
    private bool _stopping;
    private Exception? _failure;

    // Copied on write under the lock: added from Kestrel's thread, read by the loop per accept event.
    private EpollListener[] _listeners = [];
    private readonly Lock _listenersGate = new();

    // Events carry a slot and its generation, never the fd: a slot freed and reused inside one batch of events (an
    // fd closed, then the same number accepted again) turns the batch's older events for it into no-ops.
    private EpollConnection?[] _slots = new EpollConnection?[64];
    private uint[] _generations = new uint[64];
    private readonly Stack<int> _free = new();
    private int _used;

    public EpollLoop(int index, MemoryPool<byte> pool, EpollTransportOptions options, LoopCounters counters, EpollTrace trace)
    {
        _index = index;
        _trace = trace;
        _failed = options.LoopFailed;
        Counters = counters;
        var maxInput = options.MaxInputBufferSize;
        var maxOutput = options.MaxOutputBufferSize;
        // Kestrel reads what the loop received inline, in the loop's flush; the loop resumes receiving, and sends,
        // when its own continuations come back to it.
        InputOptions = new PipeOptions(pool, PipeScheduler.Inline, this, maxInput, maxInput / 2, pool.MaxBufferSize, useSynchronizationContext: false);
        OutputOptions = new PipeOptions(pool, this, PipeScheduler.Inline, maxOutput, maxOutput / 2, pool.MaxBufferSize, useSynchronizationContext: false);
        _epoll = LinuxNet.EpollCreate(LinuxNet.EPOLL_CLOEXEC);
        if (_epoll < 0)
            throw new IOException($"epoll_create1 failed (errno {LinuxNet.Errno})");
        _wake = LinuxNet.EventFd(0, LinuxNet.EFD_NONBLOCK | LinuxNet.EFD_CLOEXEC);
        if (_wake < 0 || LinuxNet.EpollAdd(_epoll, _wake, LinuxNet.EPOLLIN, WakeSlot) != 0)
            throw new IOException($"eventfd failed (errno {LinuxNet.Errno})");
        _thread = new Thread(Run) { IsBackground = true, Name = $"recfeed epoll {index}" };
        StartSweeping(options);
    }

    /// <summary>The pipe settings of the connections this loop owns: what Kestrel reads, and what it writes.</summary>
    public PipeOptions InputOptions { get; }

    public PipeOptions OutputOptions { get; }

    /// <summary>This loop's share of the transport's metrics.</summary>
    public LoopCounters Counters { get; }

    /// <summary>Completes when the thread has closed every connection it owned and its own descriptors.</summary>
    public Task Exited => _exited.Task;

    public bool OnLoopThread => Environment.CurrentManagedThreadId == _threadId;

    /// <summary>True once the loop is closing what it owns: a connection handed to it now is closed, not registered.</summary>
    public bool Stopping => _stopping;

    public void Start() => _thread.UnsafeStart();

    public override void Schedule(Action<object?> action, object? state)
    {
        if (OnLoopThread)
        {
            _local.Enqueue((action, state));
            return;
        }
        _remote.Enqueue((action, state));
        if (Volatile.Read(ref _exitedFlag) != 0)
            RunRemote();
        else if (Interlocked.Exchange(ref _wakePending, 1) == 0)
            Wake();
    }

    /// <summary>Under the queue's lock so the write can never reach an eventfd number the exiting loop closed.</summary>
    private void Wake()
    {
        lock (_remote)
        {
            if (Volatile.Read(ref _exitedFlag) != 0)
                return;
            ulong one = 1;
            LinuxNet.Write(_wake, (byte*)&one, sizeof(ulong));
        }
    }

    /// <summary>Asks the loop to close what it owns and end; see <see cref="Exited"/>.</summary>
    public void Stop() => Schedule(static s => ((EpollLoop)s!)._stopping = true, this);

    /// <summary>
    /// Watches a listening socket (again, after a pause). Level-triggered: a batch of accepts per wake-up, and the
    /// rest of the backlog wakes it again.
    /// </summary>
    public void AddListener(EpollListener listener, int fd)
    {
        int index;
        lock (_listenersGate)
        {
            index = Array.IndexOf(_listeners, listener);
            if (index < 0)
            {
                _listeners = [.. _listeners, listener];
                index = _listeners.Length - 1;
            }
        }
        if (LinuxNet.EpollAdd(_epoll, fd, LinuxNet.EPOLLIN, FirstListenerSlot + (uint)index) != 0)
            throw new IOException($"epoll_ctl on the listening socket failed (errno {LinuxNet.Errno})");
    }

    public void RemoveListener(int fd) => LinuxNet.EpollDelete(_epoll, fd);

    /// <summary>
    /// Edge-triggered, once for the connection's life: input and output readiness and the peer's FIN all come as
    /// edges, so no epoll_ctl is needed when a send stays partial.
    /// </summary>
    public bool Register(EpollConnection connection, int fd, out ulong token)
    {
        if (!_free.TryPop(out var slot))
        {
            if (_used == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
                Array.Resize(ref _generations, _generations.Length * 2);
            }
            slot = _used++;
        }
        token = (ulong)_generations[slot] << 32 | (uint)slot;
        var events = LinuxNet.EPOLLIN | LinuxNet.EPOLLOUT | LinuxNet.EPOLLRDHUP | LinuxNet.EPOLLET;
        if (LinuxNet.EpollAdd(_epoll, fd, events, token) != 0)
        {
            _free.Push(slot);
            return false;
        }
        _slots[slot] = connection;
        return true;
    }

    public void Release(ulong token)
    {
        var slot = (int)(uint)token;
        _slots[slot] = null;
        _generations[slot]++;
        _free.Push(slot);
    }

    /// <summary>One event; true for the wake-up, after which the queue of other threads' work must run.</summary>
    private bool Dispatch(uint events, ulong token)
    {
        var slot = (uint)token;
        if (slot == WakeSlot)
        {
            ulong value;
            LinuxNet.Read(_wake, (byte*)&value, sizeof(ulong));
            Volatile.Write(ref _wakePending, 0);
            return true;
        }
        if (slot >= FirstListenerSlot)
            _listeners[slot - FirstListenerSlot].Accept();
        else
        {
            var connection = _slots[slot];
            if (connection is not null && _generations[slot] == (uint)(token >> 32))
                connection.OnEvents(events);
        }
        return false;
    }
}
