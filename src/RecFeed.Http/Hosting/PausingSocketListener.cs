using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace RecFeed.Http.Hosting;

/// <summary>
/// Kestrel's sockets transport with one change: when accepting fails for want of descriptors or memory, it waits
/// before trying again. Kestrel's own listener retries every failed accept at once, and a full descriptor table
/// fails every accept while the backlog stays non-empty, so it spun a core; connections are still made by Kestrel's
/// <see cref="SocketConnectionContextFactory"/>, exactly as its own listener makes them.
/// </summary>
internal sealed partial class PausingSocketListener : IConnectionListener
{
    /// <summary>As long as the epoll transport's pause: connections that end meanwhile free descriptors.</summary>
    private static readonly TimeSpan AcceptRetry = TimeSpan.FromMilliseconds(100);

    private const int Backlog = 512; // Kestrel's default (SocketTransportOptions.Backlog)

    private readonly Socket _socket;
    private readonly SocketConnectionContextFactory _connections;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _unbound = new();

    public PausingSocketListener(IPEndPoint endPoint, ILoggerFactory logging, long maxReadBufferSize)
    {
        try
        {
            _socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(e.Message, e);
        }
        _socket.Listen(Backlog);
        EndPoint = _socket.LocalEndPoint!;
        _log = logging.CreateLogger("RecFeed.Http.Sockets");
        _connections = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions { MaxReadBufferSize = maxReadBufferSize }, _log);
    }

    public EndPoint EndPoint { get; }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var socket = await _socket.AcceptAsync(cancellationToken);
                socket.NoDelay = true;
                return _connections.Create(socket);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                AcceptPaused(_log, (int)AcceptRetry.TotalMilliseconds, EndPoint,
                    e.SocketErrorCode == SocketError.TooManyOpenSockets ? "out of file descriptors" : "out of memory", e.NativeErrorCode);
                if (!await PauseAsync())
                    return null;
            }
            catch (SocketException)
            {
                // Reset by the client while still in the backlog: the next one.
            }
        }
    }

    /// <summary>False when the listener was unbound during the pause.</summary>
    private async Task<bool> PauseAsync()
    {
        try
        {
            await Task.Delay(AcceptRetry, _unbound.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _unbound.Cancel();
        _socket.Dispose();
        return default;
    }

    public ValueTask DisposeAsync()
    {
        _unbound.Cancel();
        _socket.Dispose();
        _connections.Dispose();
        _unbound.Dispose();
        return default;
    }

    [LoggerMessage(1, LogLevel.Warning, "accept paused for {Milliseconds} ms on {EndPoint}: {Reason} (errno {Errno})")]
    private static partial void AcceptPaused(ILogger logger, int milliseconds, EndPoint endPoint, string reason, int errno);
}
