using System.Net.Sockets;
using System.Text;

namespace RecFeed.Tests.Support;

/// <summary>
/// Reads HTTP/1.1 responses one after another off a socket, each framed by its Content-Length or its chunks, so
/// pipelined responses are checked one by one: a response cut short or run together with the next fails the framing.
/// </summary>
public sealed class ResponseReader(Socket socket)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public sealed record Response(int Status, string Head, byte[] Body);

    /// <summary>The next whole response, or null when the server closed cleanly between responses.</summary>
    public async Task<Response?> ReadAsync(CancellationToken cancellationToken = default)
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            if (!await FillAsync(cancellationToken))
                return _end == _start ? null : throw new InvalidDataException($"connection closed inside a response head ({_end - _start} bytes)");
        var head = Encoding.Latin1.GetString(_buffer, _start, headEnd);
        _start += headEnd + 4;
        var body = new MemoryStream();
        if (Header(head, "Content-Length") is { } length)
            await CopyAsync(body, int.Parse(length), cancellationToken);
        else if (Header(head, "Transfer-Encoding") == "chunked")
            while (Convert.ToInt32(await LineAsync(cancellationToken), 16) is var size and > 0)
            {
                await CopyAsync(body, size, cancellationToken);
                await LineAsync(cancellationToken);
            }
        else
            throw new InvalidDataException($"response without Content-Length or chunks: {head}");
        if (Header(head, "Transfer-Encoding") == "chunked")
            await LineAsync(cancellationToken);
        return new Response(int.Parse(head.AsSpan(9, 3)), head, body.ToArray());
    }

    private static string? Header(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
            if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
                return line[(name.Length + 1)..].Trim();
        return null;
    }

    private async Task CopyAsync(MemoryStream body, int length, CancellationToken cancellationToken)
    {
        for (var copied = 0; copied < length;)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
                throw new InvalidDataException($"connection closed after {copied} of {length} body bytes");
            var n = Math.Min(length - copied, _end - _start);
            body.Write(_buffer, _start, n);
            _start += n;
            copied += n;
        }
    }

    private async Task<string> LineAsync(CancellationToken cancellationToken)
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            if (!await FillAsync(cancellationToken))
                throw new InvalidDataException("connection closed inside chunk framing");
        var line = Encoding.Latin1.GetString(_buffer, _start, end);
        _start += end + 2;
        return line;
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += read;
        return read > 0;
    }
}
