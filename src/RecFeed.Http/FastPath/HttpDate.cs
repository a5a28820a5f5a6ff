using System.Buffers;
using System.Buffers.Text;

namespace RecFeed.Http.FastPath;

/// <summary>
/// The <c>Date</c> header's value (RFC 1123, 29 bytes), refreshed once a second by a timer, as Kestrel keeps its own:
/// a request only copies bytes. Two buffers take turns, so the one a request copies is never the one being written
/// (a copy takes nanoseconds, a turn a second).
/// </summary>
public sealed class HttpDate : IDisposable
{
    private const int Length = 29;

    private readonly byte[][] _buffers = [new byte[Length], new byte[Length]];
    private readonly Timer _timer;
    private int _turn;
    private byte[] _current;

    public HttpDate()
    {
        _current = _buffers[0];
        Refresh();
        _timer = new Timer(static s => ((HttpDate)s!).Refresh(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public ReadOnlySpan<byte> Current => Volatile.Read(ref _current);

    private void Refresh()
    {
        _turn ^= 1;
        var next = _buffers[_turn];
        Utf8Formatter.TryFormat(DateTimeOffset.UtcNow, next, out _, new StandardFormat('R'));
        Volatile.Write(ref _current, next);
    }

    public void Dispose() => _timer.Dispose();
}
