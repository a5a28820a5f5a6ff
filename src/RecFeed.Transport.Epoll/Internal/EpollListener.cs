using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// One listening socket. The first of the factory's loops accepts, and hands connections to the loops in turn. One
/// socket rather than one SO_REUSEPORT socket per loop: with SO_REUSEPORT a second instance started by mistake on the
/// same port would bind too and quietly take half the connections, where it must fail with "address in use"; and
/// with keep-alive clients accepting is rare enough that one thread does it.
/// </summary>
internal sealed class EpollListener : IConnectionListener
{
    // Above Kestrel's 512, as nginx on Linux asks for: a burst of new clients (10,000 connecting at once in the
    // adversarial suite) overflowed 512 while the accepting loop also served requests, and each overflow costs the
    // client a SYN retransmit (1 s, then 3 s). The kernel caps it at net.core.somaxconn.
    private const int Backlog = 4096;
    // Enough per wake that a burst drains in a few wake-ups, few enough that the loop's own connections wait little.
    private const int AcceptsPerWake = 128;
    private static readonly TimeSpan AcceptRetry = TimeSpan.FromMilliseconds(100);

    private readonly EpollLoop _acceptor;
    private readonly EpollTransportFactory _factory;
    private readonly Channel<EpollConnection> _accepted = Channel.CreateUnbounded<EpollConnection>(new() { SingleReader = true });
    private readonly TaskCompletionSource _unbound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _fd;
    private int _unbindRequested;
    private int _disposed;

    private EpollListener(int fd, IPEndPoint endPoint, EpollLoop acceptor, EpollTransportFactory factory)
    {
        _fd = fd;
        EndPoint = endPoint;
        _acceptor = acceptor;
        _factory = factory;
    }

    public EndPoint EndPoint { get; }

    public static EpollListener Bind(IPEndPoint endPoint, EpollLoop acceptor, EpollTransportFactory factory)
    {
        var fd = OpenListeningSocket(endPoint, out var bound);
        var listener = new EpollListener(fd, bound, acceptor, factory);
        try
        {
            acceptor.AddListener(listener, fd);
        }
        catch
        {
            LinuxNet.Close(fd);
            throw;
        }
        return listener;
    }

    private static unsafe int OpenListeningSocket(IPEndPoint endPoint, out IPEndPoint bound)
    {
        var family = endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? LinuxNet.AF_INET6 : LinuxNet.AF_INET;
        var fd = LinuxNet.Socket(family, LinuxNet.SOCK_STREAM | LinuxNet.SOCK_NONBLOCK | LinuxNet.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw BindError(LinuxNet.Errno, endPoint);
        var address = stackalloc byte[LinuxNet.MaxAddressSize];
        var span = new Span<byte>(address, LinuxNet.MaxAddressSize);
        var length = LinuxNet.WriteAddress(endPoint, span);
        // As .NET's sockets do on Linux: SO_REUSEADDR lets a restart bind while old connections sit in TIME_WAIT,
        // and [::] takes IPv4 too (dual mode) while a specific IPv6 address takes only IPv6.
        LinuxNet.SetOption(fd, LinuxNet.SOL_SOCKET, LinuxNet.SO_REUSEADDR, 1);
        if (family == LinuxNet.AF_INET6)
            LinuxNet.SetOption(fd, LinuxNet.IPPROTO_IPV6, LinuxNet.IPV6_V6ONLY, endPoint.Address.Equals(IPAddress.IPv6Any) ? 0 : 1);
        if (LinuxNet.Bind(fd, address, length) != 0 || LinuxNet.Listen(fd, Backlog) != 0)
        {
            var errno = LinuxNet.Errno;
            LinuxNet.Close(fd);
            throw BindError(errno, endPoint);
        }
        length = LinuxNet.MaxAddressSize;
        LinuxNet.GetSockName(fd, address, &length);
        bound = LinuxNet.ReadAddress(span) ?? endPoint;
        return fd;
    }

    /// <summary>Kestrel reports AddressInUseException as "address already in use"; others as the socket error.</summary>
    private static Exception BindError(int errno, IPEndPoint endPoint) => errno == LinuxNet.EADDRINUSE
        ? new AddressInUseException($"Address already in use ({endPoint})")
        : new SocketException(errno switch
        {
            13 => (int)SocketError.AccessDenied,
            97 => (int)SocketError.AddressFamilyNotSupported,
            99 => (int)SocketError.AddressNotAvailable,
            _ => (int)SocketError.SocketError,
        });

    /// <summary>On the first loop, when the listening socket is readable.</summary>
    internal unsafe void Accept()
    {
        var address = stackalloc byte[LinuxNet.MaxAddressSize];
        for (var i = 0; i < AcceptsPerWake; i++)
        {
            var length = (uint)LinuxNet.MaxAddressSize;
            var fd = LinuxNet.Accept4(_fd, address, &length, LinuxNet.SOCK_NONBLOCK | LinuxNet.SOCK_CLOEXEC);
            if (fd < 0)
            {
                var errno = LinuxNet.Errno;
                if (errno is LinuxNet.EINTR or LinuxNet.ECONNABORTED)
                    continue;
                if (errno is LinuxNet.EMFILE or LinuxNet.ENFILE or LinuxNet.ENOBUFS or LinuxNet.ENOMEM)
                    PauseAccepting(errno);
                return;
            }
            LinuxNet.SetOption(fd, LinuxNet.IPPROTO_TCP, LinuxNet.TCP_NODELAY, 1);
            var connection = new EpollConnection(fd, _factory.NextLoop(), EndPoint, LinuxNet.ReadAddress(new ReadOnlySpan<byte>(address, (int)length)));
            if (_factory.Lane is { } lane)
                connection.StartInLane(lane, this);
            else if (!_accepted.Writer.TryWrite(connection))
            {
                LinuxNet.Close(fd);
                return;
            }
            _acceptor.Counters.Accepted++;
            connection.Schedule();
        }
    }

    /// <summary>
    /// Out of descriptors or memory: the backlog stays readable, so a level-triggered listener would spin. Stop
    /// watching it for a moment, as nginx does, and let connections that end free descriptors.
    /// </summary>
    private void PauseAccepting(int errno)
    {
        _factory.Trace.AcceptPaused((int)AcceptRetry.TotalMilliseconds, EndPoint, errno is LinuxNet.EMFILE or LinuxNet.ENFILE
            ? "out of file descriptors" : "out of memory", errno);
        _acceptor.Counters.AcceptPauses++;
        _acceptor.RemoveListener(_fd);
        // Resumed on the loop, where a failure to watch the socket again is the loop's failure (logged, server
        // stopped), never an exception on a timer thread; after a stop there is nothing to resume.
        _ = Task.Delay(AcceptRetry).ContinueWith(_ => _acceptor.Schedule(static s =>
        {
            var listener = (EpollListener)s!;
            if (listener._fd >= 0 && !listener._acceptor.Stopping)
                listener._acceptor.AddListener(listener, listener._fd);
        }, this), TaskScheduler.Default);
    }

    /// <summary>
    /// From a connection's loop: the lane gives the connection to Kestrel, as if accepted now. False once unbound
    /// (the caller closes it).
    /// </summary>
    internal bool HandOff(EpollConnection connection) => _accepted.Writer.TryWrite(connection);

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _accepted.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            if (_accepted.Reader.TryRead(out var connection))
                return connection;
        return null;
    }

    /// <summary>
    /// Stops accepting: the listening socket is closed on the loop that watches it; Kestrel's connections go on, the
    /// lane's end (<see cref="EpollLoop.CloseLaneConnections"/>). The token is
    /// not waited on, as in Kestrel's own transports: Kestrel's Dispose passes one already cancelled, and closing
    /// takes one trip through the loop.
    /// </summary>
    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _unbindRequested, 1) == 0)
            _acceptor.Schedule(static s =>
            {
                var listener = (EpollListener)s!;
                listener._acceptor.RemoveListener(listener._fd);
                LinuxNet.Close(listener._fd);
                listener._fd = -1;
                listener._accepted.Writer.TryComplete();
                if (listener._factory.Lane is not null)
                    foreach (var loop in listener._factory.Loops)
                        loop.CloseLaneConnections(listener);
                listener._unbound.TrySetResult();
            }, this);
        await _unbound.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// The last listener disposed ends the loops; connections Kestrel has not finished by then are aborted.
    /// Connections accepted but never handed to Kestrel are closed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await UnbindAsync().ConfigureAwait(false);
        await _factory.ReleaseAsync().ConfigureAwait(false);
        while (_accepted.Reader.TryRead(out var orphan))
            await orphan.DisposeAsync().ConfigureAwait(false);
    }
}
