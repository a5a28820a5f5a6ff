using System.Net;
using Microsoft.AspNetCore.Connections;

namespace RecFeed.Http.Transport;

/// <summary>
/// Kestrel's transport for IP endpoints when <c>--transport epoll</c> is chosen: <see cref="EpollListener"/> with
/// <paramref name="loops"/> loop threads. Other endpoint kinds (Unix sockets) stay with Kestrel's sockets transport.
/// </summary>
internal sealed class EpollTransportFactory(IMemoryPoolFactory<byte> pools, int loops) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new(EpollListener.Bind((IPEndPoint)endpoint, pools.Create(new MemoryPoolOptions { Owner = "recfeed-epoll" }), loops));
}
