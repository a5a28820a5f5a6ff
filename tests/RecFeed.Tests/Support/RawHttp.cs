using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace RecFeed.Tests.Support;

/// <summary>Sends bytes exactly as given over a TCP socket and returns the raw response, for what HttpClient would normalise or never send.</summary>
public static partial class RawHttp
{
    /// <summary>Sent after a fuzz case so a server still expecting a request finishes it and closes, instead of the client waiting out a timeout.</summary>
    public static readonly byte[] Closer = "GET /healthz HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n"u8.ToArray();

    public static async Task<string> SendAsync(Uri server, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        using var reader = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.CopyToAsync(reader, timeout.Token);
        return Encoding.UTF8.GetString(reader.ToArray());
    }

    /// <summary>A GET with Connection: close, so the server ends the response by closing.</summary>
    public static Task<string> GetAsync(Uri server, string target) =>
        SendAsync(server, $"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    public static int Status(string response) => int.Parse(response.AsSpan(9, 3));

    public static string Body(string response) => response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

    /// <summary>Sends <paramref name="request"/> and reads until the server closes, resets, or stays silent for <paramref name="idle"/>.</summary>
    public static async Task<byte[]> ExchangeAsync(Uri server, byte[] request, TimeSpan idle)
    {
        using var socket = await ConnectAsync(server);
        try
        {
            await socket.SendAsync(request);
        }
        catch (SocketException)
        {
            // The server may close mid-send after rejecting the start of a long request; what it answered still counts.
        }
        return await ReadAsync(socket, idle);
    }

    /// <summary>Sends <paramref name="request"/> and drops the connection at once: with RST if <paramref name="reset"/>, else with FIN.</summary>
    public static async Task SendAndDropAsync(Uri server, byte[] request, bool reset)
    {
        using var socket = await ConnectAsync(server);
        try
        {
            await socket.SendAsync(request);
        }
        catch (SocketException)
        {
        }
        if (reset)
            socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public static async Task<Socket> ConnectAsync(Uri server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port));
        return socket;
    }

    public static async Task<byte[]> ReadAsync(Socket socket, TimeSpan idle)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            using var timeout = new CancellationTokenSource(idle);
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                break; // reset by the server after a rejected request: what arrived before counts
            }
            if (read == 0)
                break;
            received.Write(buffer, 0, read);
        }
        return received.ToArray();
    }

    /// <summary>The status codes of every response in <paramref name="bytes"/> (several when requests were pipelined).</summary>
    public static int[] Statuses(byte[] bytes) =>
        [.. StatusLine().Matches(Encoding.Latin1.GetString(bytes))
            .Select(m => int.Parse(m.Groups[1].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"HTTP/1\.[01] (\d{3}) ")]
    private static partial Regex StatusLine();
}
