using RecFeed.Transport.Epoll;

namespace RecFeed.Tests.Transport;

/// <summary>
/// A lane for the transport's own tests, as <see cref="EpollHost"/>'s "ok" endpoint is an app for them: it answers
/// exactly <see cref="Request"/> with an 8 KiB body of 'x' and hands off anything else.
/// </summary>
public sealed class FixedLane : IRequestLane
{
    public static readonly byte[] Request = "GET /lane HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();
    public const int BodyLength = 8 * 1024;
    private static readonly byte[] Response = [.. "HTTP/1.1 200 OK\r\nContent-Length: 8192\r\n\r\n"u8, .. Enumerable.Repeat((byte)'x', BodyLength)];

    public static int ResponseLength => Response.Length;

    public LaneResult TryAnswer(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written, long receivedAt)
    {
        consumed = written = 0;
        if (input.Length < Request.Length)
            return Request.AsSpan().StartsWith(input) ? LaneResult.NeedMore : LaneResult.HandOff;
        if (!input.StartsWith(Request))
            return LaneResult.HandOff;
        if (output.Length < Response.Length)
            return LaneResult.OutputFull;
        Response.CopyTo(output);
        (consumed, written) = (Request.Length, Response.Length);
        return LaneResult.Answered;
    }
}
