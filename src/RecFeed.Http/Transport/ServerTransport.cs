namespace RecFeed.Http.Transport;

/// <summary>What moves bytes between the public listener's sockets and Kestrel (<c>serve --transport</c>).</summary>
public enum ServerTransport
{
    /// <summary>recfeed's own loops on Linux epoll (<see cref="EpollTransportFactory"/>).</summary>
    Epoll,

    /// <summary>Kestrel's transport on .NET's sockets.</summary>
    Sockets,
}
