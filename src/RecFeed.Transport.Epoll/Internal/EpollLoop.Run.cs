using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// The loop's thread: wait, dispatch, run what was queued; and its end, the same whether asked to stop or failed:
/// close every connection, close the loop's descriptors, and only then report a failure.
/// </summary>
internal sealed unsafe partial class EpollLoop
{
    private void Run()
    {
        _threadId = Environment.CurrentManagedThreadId;
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * LinuxNet.EventSize));
        try
        {
            Serve(events);
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            NativeMemory.Free(events);
        }
        _stopping = true;
        StopSweeping();
        // Still on guard: closing what the loop owns runs Kestrel's continuations, which may throw too, and one that
        // does must not keep the rest from running.
        DrainGuarded();
        CloseAll();
        DrainGuarded();
        lock (_remote)
        {
            // From here on, work scheduled from other threads runs on those threads: it can only be the end of a
            // connection this loop already closed.
            Interlocked.Exchange(ref _exitedFlag, 1);
            LinuxNet.Close(_wake);
        }
        DrainGuarded();
        LinuxNet.Close(_epoll);
        _exited.TrySetResult();
        if (_failure is { } failure)
            ReportFailure(failure);
    }

    private void Serve(byte* events)
    {
        while (!_stopping)
        {
            var count = LinuxNet.EpollWait(_epoll, events, MaxEvents, -1);
            if (count < 0 && LinuxNet.Errno != LinuxNet.EINTR)
                throw new IOException($"epoll_wait failed (errno {LinuxNet.Errno})");
            WokenAt = Stopwatch.GetTimestamp();
            var woken = false;
            for (var i = 0; i < count; i++)
            {
                woken |= Dispatch(LinuxNet.EventMask(events, i), LinuxNet.EventData(events, i));
                RunLocal();
            }
            // Work from other threads always comes with a wake-up: either its own eventfd write, or one still
            // pending (Schedule saw _wakePending set), whose event resets the flag before this runs the queue. A
            // batch without one has nothing queued, and a busy loop skips the empty queue's checks on every event.
            if (woken)
                RunQueued();
            Counters.BusyTicks += Stopwatch.GetTimestamp() - WokenAt;
        }
    }

    private void DrainGuarded()
    {
        do
        {
            try
            {
                RunQueued();
            }
            catch (Exception e)
            {
                _failure ??= e;
            }
        }
        while (!_remote.IsEmpty || _local.Count > 0);
    }

    private void ReportFailure(Exception failure)
    {
        _trace.LoopFailed(_index, failure.GetType().Name, failure.Message);
        try
        {
            _failed?.Invoke(failure);
        }
        catch (Exception e)
        {
            _trace.LoopFailed(_index, e.GetType().Name, "the failure handler threw: " + e.Message);
        }
    }

    private void RunLocal()
    {
        while (_local.TryDequeue(out var work))
            work.Action(work.State);
    }

    private void RunRemote()
    {
        while (_remote.TryDequeue(out var work))
            work.Action(work.State);
    }

    private void RunQueued()
    {
        do
        {
            RunRemote();
            RunLocal();
        }
        while (!_remote.IsEmpty);
    }

    private void CloseAll()
    {
        var stopping = new Microsoft.AspNetCore.Connections.ConnectionAbortedException("The server is stopping.");
        for (var slot = 0; slot < _used; slot++)
        {
            try
            {
                _slots[slot]?.Close(stopping);
            }
            catch (Exception e)
            {
                _failure ??= e;
            }
        }
    }
}
