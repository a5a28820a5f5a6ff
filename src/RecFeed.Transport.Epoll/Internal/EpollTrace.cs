using Microsoft.Extensions.Logging;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>Everything the transport logs, in one place, under the category <c>RecFeed.Transport.Epoll</c>.</summary>
internal sealed partial class EpollTrace(ILogger logger)
{
    [LoggerMessage(1, LogLevel.Warning, "accept paused for {Milliseconds} ms on {EndPoint}: {Reason} (errno {Errno})")]
    public partial void AcceptPaused(int milliseconds, System.Net.EndPoint endPoint, string reason, int errno);

    [LoggerMessage(2, LogLevel.Critical, "epoll loop {Loop} failed and closed its connections; the server must stop: {Error}: {Message}")]
    public partial void LoopFailed(int loop, string error, string message);
}
