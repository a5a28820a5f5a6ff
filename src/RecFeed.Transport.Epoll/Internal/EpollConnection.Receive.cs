using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>Receiving: straight into the input pipe's memory, and Kestrel runs inline in the flush.</summary>
internal sealed partial class EpollConnection
{
    // Kestrel's sockets transport asks for half a 4 KiB block: the rest of a block is used before a new one is taken.
    private const int MinimumReceive = 2048;

    private readonly Action _onFlushed;
    private ValueTask<FlushResult> _pendingFlush;
    private bool _flushPending;
    private bool _receiveDone;
    private int _inputEnded;
    private bool _peerClosing;
    private bool _peerEnded;
    private bool _receiveFailed;

    internal void OnEvents(uint events)
    {
        if ((events & (LinuxNet.EPOLLRDHUP | LinuxNet.EPOLLHUP | LinuxNet.EPOLLERR)) != 0)
            _peerClosing = true;
        if (_lane is not null)
        {
            OnLaneEvents(events);
            // A connection still in the lane holds nothing in its pipes; one just handed off may.
            if (_lane is null)
                CountHeld();
            return;
        }
        if (!_receiveDone && !_flushPending && (events & (LinuxNet.EPOLLIN | LinuxNet.EPOLLRDHUP | LinuxNet.EPOLLHUP | LinuxNet.EPOLLERR)) != 0)
            Receive();
        if (_writePending && _fd >= 0 && (events & (LinuxNet.EPOLLOUT | LinuxNet.EPOLLHUP | LinuxNet.EPOLLERR)) != 0)
        {
            _writePending = false;
            ContinueSend();
        }
        CountHeld();
    }

    /// <summary>
    /// Reads until a short read, as nginx does: the registration is edge-triggered, and a read that did not fill the
    /// buffer emptied the socket, so the recv that would only return EAGAIN is never made. Once the peer's FIN or
    /// an error has been signalled, it reads on to the 0 or the error instead.
    /// </summary>
    private unsafe void Receive()
    {
        var writer = _input.Writer;
        while (true)
        {
            var memory = writer.GetMemory(MinimumReceive);
            nint received;
            fixed (byte* buffer = &MemoryMarshal.GetReference(memory.Span))
                received = LinuxNet.Recv(_fd, buffer, (nuint)memory.Length, 0);
            if (received > 0)
            {
                writer.Advance((int)received);
                var flush = writer.FlushAsync();
                if (!flush.IsCompleted)
                {
                    // Kestrel has not consumed what it was given (a pipelining or a slow handler): stop reading until
                    // it has, and let the socket's own buffer push back on the client.
                    _pendingFlush = flush;
                    _flushPending = true;
                    flush.GetAwaiter().UnsafeOnCompleted(_onFlushed);
                    return;
                }
                if (flush.Result.IsCompleted)
                {
                    _receiveDone = true;
                    return;
                }
                if (received < memory.Length && !_peerClosing)
                    return;
                continue;
            }
            if (received == 0)
            {
                _peerEnded = true;
                EndReceive(null);
                return;
            }
            var errno = LinuxNet.Errno;
            if (errno == LinuxNet.EAGAIN)
                return;
            if (errno != LinuxNet.EINTR)
            {
                _receiveFailed = true;
                EndReceive(ReceiveError(errno));
                return;
            }
        }
    }

    private void OnFlushed()
    {
        var result = _pendingFlush.GetAwaiter().GetResult();
        _pendingFlush = default;
        _flushPending = false;
        if (_fd < 0)
            EndReceive(_closeError);
        else if (result.IsCompleted)
            _receiveDone = true;
        else
            Receive();
        CountHeld();
    }

    /// <summary>
    /// The client's FIN or an error: Kestrel reads to the end of what arrived, then sees the end. Once only, even
    /// when a close and a cancelled flush's continuation reach it on two threads after the loop has exited.
    /// </summary>
    private void EndReceive(Exception? error)
    {
        _receiveDone = true;
        if (Interlocked.Exchange(ref _inputEnded, 1) != 0)
            return;
        _input.Writer.Complete(error);
        FireConnectionClosed();
    }

    private static Exception ReceiveError(int errno) => errno == LinuxNet.ECONNRESET
        ? new ConnectionResetException("Connection reset by peer")
        : new IOException($"recv failed (errno {errno})");
}
