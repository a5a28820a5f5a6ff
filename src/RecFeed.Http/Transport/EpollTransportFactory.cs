using System.Net;
using Microsoft.AspNetCore.Connections;

namespace RecFeed.Http.Transport;

/// <summary>
/// Kestrel's transport for IP endpoints when <c>--transport epoll</c> is chosen: <see cref="EpollListener"/> with
/// <see cref="Loops"/>(<paramref name="ioThreads"/>) loop threads. Other endpoint kinds (Unix sockets) stay with
/// Kestrel's sockets transport.
/// </summary>
internal sealed class EpollTransportFactory(IMemoryPoolFactory<byte> pools, int ioThreads) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>The loop threads <c>--io-threads</c> asks for: 0 means one per core.</summary>
    public static int Loops(int ioThreads) => ioThreads > 0 ? ioThreads : Environment.ProcessorCount;

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new(EpollListener.Bind((IPEndPoint)endpoint, pools.Create(new MemoryPoolOptions { Owner = "recfeed-epoll" }), Loops(ioThreads)));
}
