using System.Net;
using System.Net.Sockets;

namespace RecFeed.Tests.Sharding;

/// <summary>A loopback port the OS just handed out, for processes (HAProxy) that cannot listen on port 0 and report back.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
