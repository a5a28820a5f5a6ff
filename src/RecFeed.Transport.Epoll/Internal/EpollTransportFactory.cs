using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>Kestrel's transport for IP endpoints: an <see cref="EpollListener"/> per bound address.</summary>
internal sealed class EpollTransportFactory(IMemoryPoolFactory<byte> pools, EpollTransportOptions options, ILoggerFactory loggers)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly EpollTrace _trace = new(loggers.CreateLogger("RecFeed.Transport.Epoll"));

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new(EpollListener.Bind((IPEndPoint)endpoint, pools.Create(new MemoryPoolOptions { Owner = "recfeed-epoll" }), options, _trace));
}
