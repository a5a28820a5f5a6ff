namespace RecFeed.Transport.Epoll;

/// <summary>
/// Answers the one request shape it fully understands straight from a connection's received bytes, on the loop
/// thread, writing the whole response (status line, headers, body) into the output span: no pipe, no Kestrel request.
/// The transport offers it every request of a connection until it answers anything but <see cref="LaneResult.Answered"/>
/// or <see cref="LaneResult.OutputFull"/>; from then on the connection is Kestrel's, with every byte not answered.
/// An implementation must have no effect (consume nothing, count nothing) unless it answers, and must not allocate.
/// </summary>
public interface IRequestLane
{
    /// <param name="input">Received bytes not answered yet, starting at a request's first byte.</param>
    /// <param name="output">Where the response goes; on <see cref="LaneResult.Answered"/> only.</param>
    /// <param name="consumed">The request's length in <paramref name="input"/> when answered, else 0.</param>
    /// <param name="written">The response's length in <paramref name="output"/> when answered, else 0.</param>
    /// <param name="receivedAt">
    /// <see cref="System.Diagnostics.Stopwatch"/> ticks when the loop woke with the bytes: where a request's time starts,
    /// read once per wake-up rather than once per request.
    /// </param>
    LaneResult TryAnswer(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written, long receivedAt);
}
