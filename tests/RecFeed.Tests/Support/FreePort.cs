using System.Net;
using System.Net.Sockets;

namespace RecFeed.Tests.Support;

/// <summary>
/// Loopback ports for processes (HAProxy, nginx, the Go design) that cannot listen on port 0 and report back. They
/// come from above the kernel's ephemeral range (ip_local_port_range), where port-0 listeners and the client side
/// of the suite's many connections never land, and from one counter, so two tests of a run never share one; each
/// is checked free before it is handed out. (A port picked by listening on port 0 could be taken again by a client
/// connection before the script bound it: that failed the load bench's smoke test once.)
/// </summary>
internal static class FreePort
{
    private static readonly Lock Gate = new();
    private static int s_next = FirstPort();

    public static int Next() => Block(1);

    /// <summary>The first of <paramref name="count"/> consecutive free ports, for scripts that take a base port.</summary>
    public static int Block(int count)
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                if (s_next + count > IPEndPoint.MaxPort)
                    s_next = FirstPort();
                var first = s_next;
                s_next += count;
                if (Enumerable.Range(first, count).All(IsFree))
                    return first;
            }
        }
        throw new InvalidOperationException($"no {count} consecutive free loopback ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A random start above the ephemeral range (61000 with Linux's default range), so runs on one host rarely meet.</summary>
    private static int FirstPort()
    {
        var ephemeralTop = 60999;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            ephemeralTop = int.Parse(range[1]);
        }
        catch (IOException)
        {
        }
        var low = Math.Min(ephemeralTop + 1, IPEndPoint.MaxPort - 1000);
        return low + Random.Shared.Next(0, (IPEndPoint.MaxPort - 100 - low) / 2);
    }
}
