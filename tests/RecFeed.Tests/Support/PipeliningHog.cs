using System.Net.Sockets;
using System.Text;

namespace RecFeed.Tests.Support;

/// <summary>
/// One client pipelining requests without pause on one connection and reading every answer, until stopped: the
/// busiest a single connection can keep a server. It counts the answers it got, so a test can say what happened
/// while it ran by counts rather than by a clock.
/// </summary>
public sealed class PipeliningHog : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private readonly Task _reader;
    private long _answers;

    private PipeliningHog(Socket socket, byte[] batch)
    {
        _socket = socket;
        _writer = Task.Run(() => WriteAsync(batch));
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Answers received so far (status lines counted).</summary>
    public long Answers => Interlocked.Read(ref _answers);

    /// <summary>Connects and starts pipelining <paramref name="target"/>, 64 requests per write.</summary>
    public static async Task<PipeliningHog> StartAsync(Uri server, string target)
    {
        var request = Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: hog\r\n\r\n");
        var batch = Enumerable.Repeat(request, 64).SelectMany(r => r).ToArray();
        return new PipeliningHog(await RawHttp.ConnectAsync(server), batch);
    }

    /// <summary>Waits until at least <paramref name="answers"/> answers arrived: the hog is really running.</summary>
    public async Task WaitForAnswersAsync(long answers)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (Answers < answers)
        {
            Assert.False(_reader.IsCompleted, $"the hog's connection ended after {Answers} answers");
            await Task.Delay(5, timeout.Token);
        }
    }

    private async Task WriteAsync(byte[] batch)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
                await _socket.SendAsync(batch, SocketFlags.None, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        var statusLine = "HTTP/1.1 "u8.ToArray();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                    return;
                // A status line split over two reads is missed; the count only has to grow while answers arrive.
                var span = buffer.AsSpan(0, read);
                for (var at = span.IndexOf(statusLine); at >= 0; at = span.IndexOf(statusLine))
                {
                    Interlocked.Increment(ref _answers);
                    span = span[(at + statusLine.Length)..];
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await Task.WhenAll(_writer, _reader);
        _stop.Dispose();
    }
}
