using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// The fast lane: while a connection is the lane's, the loop receives into its own scratch buffer, lets the
/// <see cref="IRequestLane"/> answer each whole request there, and sends the answers from its scratch output, so a
/// connection the lane holds owns no buffer between events. The first byte the lane does not answer, a request cut
/// by the end of what the socket held, or a send the socket does not take whole hands the connection to Kestrel: the
/// unsent answers go into the output pipe ahead of anything Kestrel writes, the unanswered bytes into the input pipe,
/// and the connection is queued for Kestrel's accept, after which it is served as any other and never returns.
/// </summary>
internal sealed partial class EpollConnection
{
    private IRequestLane? _lane;
    private EpollListener? _laneListener;
    private long _laneActive;

    /// <summary>On the accepting loop, before <see cref="Schedule"/>: the lane holds the connection until it hands it off.</summary>
    internal void StartInLane(IRequestLane lane, EpollListener listener)
    {
        _lane = lane;
        _laneListener = listener;
        _laneActive = Stopwatch.GetTimestamp();
    }

    internal EpollListener? LaneListener => _lane is null ? null : _laneListener;

    /// <summary>Idle since the last answer (or the accept) for longer than <paramref name="idleTicks"/>.</summary>
    internal bool LaneIdle(long now, long idleTicks) => _lane is not null && now - _laneActive > idleTicks;

    private void OnLaneEvents(uint events)
    {
        if (!_receiveDone && (events & (LinuxNet.EPOLLIN | LinuxNet.EPOLLRDHUP | LinuxNet.EPOLLHUP | LinuxNet.EPOLLERR)) != 0)
            LaneReceive();
    }

    /// <summary>
    /// Reads until a short read, as <see cref="Receive"/> does, answering whole requests as they arrive. A request
    /// the scratch buffer cut is moved to its start and completed by the next read; one the socket itself ended
    /// mid-way goes to Kestrel, which applies its header timeout and limits to it.
    /// </summary>
    private unsafe void LaneReceive()
    {
        var input = _loop.LaneInput;
        var held = 0;
        while (true)
        {
            nint received;
            fixed (byte* buffer = input)
                received = LinuxNet.Recv(_fd, buffer + held, (nuint)(input.Length - held), 0);
            if (received > 0)
            {
                var total = held + (int)received;
                var consumed = AnswerInLane(input.AsSpan(0, total), out var handOff);
                if (_fd < 0 || _lane is null)
                    return;
                var drained = total < input.Length && !_peerClosing;
                if (handOff || (consumed < total && drained) || total - consumed == input.Length)
                {
                    HandOff(input.AsSpan(consumed, total - consumed), []);
                    return;
                }
                held = total - consumed;
                input.AsSpan(consumed, held).CopyTo(input);
                if (drained)
                    return;
                continue;
            }
            if (received == 0)
            {
                _peerEnded = true;
                if (held > 0)
                    HandOff(input.AsSpan(0, held), []);
                else
                    Close(null);
                return;
            }
            var errno = LinuxNet.Errno;
            if (errno == LinuxNet.EAGAIN)
            {
                if (held > 0)
                    HandOff(input.AsSpan(0, held), []);
                return;
            }
            if (errno != LinuxNet.EINTR)
            {
                _receiveFailed = true;
                Close(ReceiveError(errno));
                return;
            }
        }
    }

    /// <summary>Answers the whole requests at the start of <paramref name="input"/> and sends them; returns the bytes answered.</summary>
    private int AnswerInLane(ReadOnlySpan<byte> input, out bool handOff)
    {
        var output = _loop.LaneOutput;
        var consumed = 0;
        var written = 0;
        handOff = false;
        while (consumed < input.Length)
        {
            var result = _lane!.TryAnswer(input[consumed..], output.AsSpan(written), out var request, out var response, _loop.WokenAt);
            if (result == LaneResult.Answered)
            {
                consumed += request;
                written += response;
                continue;
            }
            if (result == LaneResult.OutputFull && written > 0)
            {
                if (!SendInLane(output.AsSpan(0, written), input[consumed..]))
                    return input.Length;
                written = 0;
                continue;
            }
            handOff = result != LaneResult.NeedMore;
            break;
        }
        if (written > 0 && !SendInLane(output.AsSpan(0, written), input[consumed..]))
            return input.Length;
        if (consumed > 0)
            _laneActive = _loop.WokenAt;
        return consumed;
    }

    /// <summary>
    /// Sends answers whole, or hands the connection to Kestrel with the rest of them and the unanswered
    /// <paramref name="unanswered"/> (or closes it on a send error); false when the connection left the lane.
    /// </summary>
    private unsafe bool SendInLane(ReadOnlySpan<byte> answers, ReadOnlySpan<byte> unanswered)
    {
        var offset = 0;
        fixed (byte* start = &MemoryMarshal.GetReference(answers))
            while (offset < answers.Length)
            {
                var sent = LinuxNet.Send(_fd, start + offset, (nuint)(answers.Length - offset), LinuxNet.MSG_NOSIGNAL);
                if (sent > 0)
                {
                    offset += (int)sent;
                    continue;
                }
                var errno = LinuxNet.Errno;
                if (errno == LinuxNet.EINTR)
                    continue;
                if (errno == LinuxNet.EAGAIN)
                {
                    HandOff(unanswered, answers[offset..]);
                    return false;
                }
                Close(errno is LinuxNet.EPIPE or LinuxNet.ECONNRESET
                    ? new Microsoft.AspNetCore.Connections.ConnectionResetException("Connection reset by peer")
                    : new IOException($"send failed (errno {errno})"));
                return false;
            }
        return true;
    }

    /// <summary>
    /// Kestrel takes the connection: <paramref name="unsent"/> answers first in the output pipe (Kestrel has written
    /// nothing yet, so they stay ahead of its own), <paramref name="unanswered"/> bytes in the input pipe, and reading
    /// goes on into the pipe as for any connection. Both fit below the pipes' thresholds (the lane's scratch is
    /// smaller), so neither flush waits.
    /// </summary>
    private void HandOff(ReadOnlySpan<byte> unanswered, ReadOnlySpan<byte> unsent)
    {
        _lane = null;
        _loop.Counters.HandedOff++;
        if (!unsent.IsEmpty)
        {
            _output.Writer.Write(unsent);
            var queued = _output.Writer.FlushAsync();
            Debug.Assert(queued.IsCompleted, "the lane's answers fit below the output pipe's pause threshold");
        }
        if (!unanswered.IsEmpty)
        {
            _input.Writer.Write(unanswered);
            var flush = _input.Writer.FlushAsync();
            if (!flush.IsCompleted)
            {
                _pendingFlush = flush;
                _flushPending = true;
                flush.GetAwaiter().UnsafeOnCompleted(_onFlushed);
            }
        }
        if (!_laneListener!.HandOff(this))
        {
            Close(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("The server is stopping."));
            return;
        }
        if (_peerEnded)
            EndReceive(null);
        else if (!_flushPending)
            Receive();
    }
}
