using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace RecFeed.Http.Hosting;

/// <summary>
/// Puts IP endpoints on <see cref="PausingSocketListener"/>; other kinds (Unix sockets) stay with Kestrel's sockets
/// transport, which Kestrel asks after this one because factories registered last are asked first.
/// </summary>
internal sealed class PausingSocketTransportFactory(ILoggerFactory logging, long maxReadBufferSize)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new PausingSocketListener((IPEndPoint)endpoint, logging, maxReadBufferSize));
}
