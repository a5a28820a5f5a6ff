using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace RecFeed.Sync;

/// <summary>
/// A RESP2 client over one TCP connection, as small as the position sync needs: commands are written into one
/// buffer (<see cref="Command"/>, then <see cref="Arg(ReadOnlySpan{byte})"/> per argument), sent together by
/// <see cref="FlushAsync"/> (so a round pipelines), and their replies read back in order by <see cref="ReadAsync"/>.
/// Not thread-safe: one sync loop owns it. A failure of any kind leaves it unusable; the owner disposes it and
/// connects again. Counts the bytes each way, for /metrics.
/// </summary>
public sealed class RespConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _out = new byte[16 * 1024];
    private int _outLength;
    private readonly byte[] _in = new byte[64 * 1024];
    private int _inStart, _inEnd;

    private RespConnection(Socket socket) => _socket = socket;

    public long BytesSent { get; private set; }
    public long BytesReceived { get; private set; }

    /// <summary>Connects to <paramref name="address"/>; a refused or unreachable Redis is a <see cref="RespException"/>.</summary>
    public static async Task<RespConnection> ConnectAsync(RedisAddress address, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address.Host, address.Port, cancellationToken);
            return new RespConnection(socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RespException($"cannot connect to {address}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts a command of <paramref name="argCount"/> arguments, its name included.</summary>
    public void Command(int argCount) => Header((byte)'*', argCount);

    public void Arg(ReadOnlySpan<byte> value)
    {
        Header((byte)'$', value.Length);
        Write(value);
        Write("\r\n"u8);
    }

    public void Arg(string value) => Arg(Encoding.UTF8.GetBytes(value));

    public void Arg(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        Arg(digits[..length]);
    }

    /// <summary>A whole command of text arguments.</summary>
    public void Command(params string[] args)
    {
        Command(args.Length);
        foreach (var a in args)
            Arg(a);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var length = _outLength;
        _outLength = 0;
        await _socket.SendAsync(_out.AsMemory(0, length), SocketFlags.None, cancellationToken);
        BytesSent += length;
    }

    /// <summary>The next reply; a Redis error is returned as one (<see cref="RespReply.IsError"/>), not thrown.</summary>
    public async Task<RespReply> ReadAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken);
        var kind = (char)line[0];
        var rest = Encoding.UTF8.GetString(line.AsSpan(1));
        switch (kind)
        {
            case '+':
                return RespReply.Simple(rest);
            case '-':
                return RespReply.Error(rest);
            case ':':
                return RespReply.Number(ParseNumber(rest));
            case '$':
                var length = ParseNumber(rest);
                return RespReply.BulkString(length < 0 ? null : await ReadBulkAsync(checked((int)length), cancellationToken));
            case '*':
                var count = ParseNumber(rest);
                if (count < 0)
                    return RespReply.Array(null);
                var items = new RespReply[count];
                for (var i = 0; i < items.Length; i++)
                    items[i] = await ReadAsync(cancellationToken);
                return RespReply.Array(items);
            default:
                throw new RespException($"not a RESP2 reply (type byte 0x{line[0]:x2})");
        }
    }

    private static long ParseNumber(string text) =>
        long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new RespException($"not a RESP2 number: '{text}'");

    private async Task<byte[]> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = _in.AsSpan(_inStart, _inEnd - _inStart).IndexOf("\r\n"u8);
            if (end > 0)
            {
                var line = _in.AsSpan(_inStart, end).ToArray();
                _inStart += end + 2;
                return line;
            }
            if (end == 0)
                throw new RespException("an empty RESP2 line");
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>A bulk string's <paramref name="length"/> bytes and its closing CRLF.</summary>
    private async Task<byte[]> ReadBulkAsync(int length, CancellationToken cancellationToken)
    {
        var value = new byte[length];
        var filled = 0;
        while (filled < length)
        {
            if (_inStart == _inEnd)
                await FillAsync(cancellationToken);
            var take = Math.Min(length - filled, _inEnd - _inStart);
            _in.AsSpan(_inStart, take).CopyTo(value.AsSpan(filled));
            (_inStart, filled) = (_inStart + take, filled + take);
        }
        while (_inEnd - _inStart < 2)
            await FillAsync(cancellationToken);
        if (!_in.AsSpan(_inStart, 2).SequenceEqual("\r\n"u8))
            throw new RespException("a RESP2 bulk string without its CRLF");
        _inStart += 2;
        return value;
    }

    /// <summary>Receives more bytes behind those not yet read, moving them to the front first.</summary>
    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_inStart > 0)
        {
            _in.AsSpan(_inStart, _inEnd - _inStart).CopyTo(_in);
            (_inEnd, _inStart) = (_inEnd - _inStart, 0);
        }
        if (_inEnd == _in.Length)
            throw new RespException($"a RESP2 line longer than {_in.Length} bytes");
        var received = await _socket.ReceiveAsync(_in.AsMemory(_inEnd), SocketFlags.None, cancellationToken);
        if (received == 0)
            throw new RespException("redis closed the connection");
        _inEnd += received;
        BytesReceived += received;
    }

    private void Header(byte kind, int value)
    {
        Span<byte> line = stackalloc byte[24];
        line[0] = kind;
        Utf8Formatter.TryFormat(value, line[1..], out var length);
        "\r\n"u8.CopyTo(line[(1 + length)..]);
        Write(line[..(length + 3)]);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (_outLength + bytes.Length > _out.Length)
            Array.Resize(ref _out, Math.Max(_out.Length * 2, _outLength + bytes.Length));
        bytes.CopyTo(_out.AsSpan(_outLength));
        _outLength += bytes.Length;
    }

    public void Dispose() => _socket.Dispose();
}
