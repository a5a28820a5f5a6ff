using System.Net.Sockets;
using System.Text;

namespace RecFeed.Tests.Support;

/// <summary>Sends bytes exactly as given over a TCP socket and returns the raw response, for what HttpClient would normalise.</summary>
public static class RawHttp
{
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
}
