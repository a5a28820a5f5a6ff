using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// Sending: the output pipe's reader continuation is scheduled on the loop, so what Kestrel flushes on the loop is
/// sent as soon as the event that produced it is handled, and what it flushes elsewhere wakes the loop first.
/// </summary>
internal sealed partial class EpollConnection
{
    private readonly Action _onOutput;
    private ValueTask<ReadResult> _pendingRead;
    private bool _readPending;
    private bool _writePending;

    private void ContinueSend()
    {
        while (true)
        {
            var read = _output.Reader.ReadAsync();
            if (!read.IsCompleted)
            {
                _pendingRead = read;
                _readPending = true;
                read.GetAwaiter().UnsafeOnCompleted(_onOutput);
                return;
            }
            if (!Send(read.GetAwaiter().GetResult()))
                return;
        }
    }

    private void OnOutput()
    {
        var result = _pendingRead.GetAwaiter().GetResult();
        _pendingRead = default;
        _readPending = false;
        if (_fd < 0)
        {
            _output.Reader.AdvanceTo(result.Buffer.Start);
            _output.Reader.Complete(_closeError);
        }
        else if (Send(result))
            ContinueSend();
        CountHeld();
    }

    /// <summary>False when sending stops here: the socket is full (an EPOLLOUT edge resumes it), or the connection ended.</summary>
    private bool Send(in ReadResult result)
    {
        var buffer = result.Buffer;
        var errno = 0;
        var sent = buffer.IsEmpty ? 0 : Write(buffer, out errno);
        if (errno is not 0)
        {
            _output.Reader.AdvanceTo(buffer.End);
            Close(errno is LinuxNet.EPIPE or LinuxNet.ECONNRESET
                ? new ConnectionResetException("Connection reset by peer")
                : new IOException($"send failed (errno {errno})"));
            return false;
        }
        if (sent < buffer.Length)
        {
            _output.Reader.AdvanceTo(buffer.GetPosition(sent));
            _writePending = true;
            return false;
        }
        _output.Reader.AdvanceTo(buffer.End);
        if (result.IsCompleted)
        {
            Close(null);
            return false;
        }
        return true;
    }

    /// <summary>Sends segment by segment until all is sent or the socket is full (errno 0); returns the bytes sent.</summary>
    private unsafe long Write(in ReadOnlySequence<byte> buffer, out int errno)
    {
        errno = 0;
        long total = 0;
        foreach (var segment in buffer)
        {
            var span = segment.Span;
            var offset = 0;
            fixed (byte* start = &MemoryMarshal.GetReference(span))
                while (offset < span.Length)
                {
                    var sent = LinuxNet.Send(_fd, start + offset, (nuint)(span.Length - offset), LinuxNet.MSG_NOSIGNAL);
                    if (sent > 0)
                    {
                        offset += (int)sent;
                        continue;
                    }
                    var error = LinuxNet.Errno;
                    if (error == LinuxNet.EINTR)
                        continue;
                    if (error != LinuxNet.EAGAIN)
                        errno = error;
                    return total + offset;
                }
            total += offset;
        }
        return total;
    }
}
