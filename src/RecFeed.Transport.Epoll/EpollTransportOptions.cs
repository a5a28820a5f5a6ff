namespace RecFeed.Transport.Epoll;

/// <summary>How the epoll transport runs: its loop threads and what it holds per connection.</summary>
public sealed class EpollTransportOptions
{
    /// <summary>
    /// The default <see cref="MaxInputBufferSize"/>: more than three of the largest requests Kestrel accepts under
    /// recfeed's limits (a 1 KiB request line and 8 KiB of headers), far below Kestrel's 1 MiB.
    /// </summary>
    public const long DefaultMaxInputBufferSize = 32 * 1024;

    /// <summary>Loop threads; 0 (the default) for one per core. Every listener shares the same loops.</summary>
    public int IoThreads { get; set; }

    /// <summary>
    /// Received bytes held per connection that Kestrel has not consumed yet, before the transport stops reading and
    /// lets the socket push back on the client (Kestrel's MaxRequestBufferSize). It must exceed the largest request
    /// Kestrel's limits allow: a request that does not fit waits for its headers timeout.
    /// </summary>
    public long MaxInputBufferSize { get; set; } = DefaultMaxInputBufferSize;

    /// <summary>Bytes Kestrel may write ahead of the socket per connection (Kestrel's MaxWriteBufferSize default).</summary>
    public long MaxOutputBufferSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Called once, on the failing loop's thread after it has closed its connections and logged the failure, when a
    /// loop cannot go on (epoll_wait failing, a fault in work it ran). The loop's connections are gone and, on the
    /// first loop, accepting has stopped: the host should stop the server. Unset, the failure is only logged.
    /// </summary>
    public Action<Exception>? LoopFailed { get; set; }

    /// <summary>
    /// Answers the requests it fully understands on the loop itself (see <see cref="IRequestLane"/>); a connection
    /// stays with it until it hands the connection to Kestrel. Null (the default): every connection is Kestrel's.
    /// </summary>
    public IRequestLane? Lane { get; set; }

    /// <summary>
    /// How long a connection the <see cref="Lane"/> still holds may sit idle between requests before the transport
    /// closes it, as Kestrel's keep-alive timeout does for its own; <c>UseEpoll</c> sets it to Kestrel's.
    /// </summary>
    public TimeSpan LaneIdleTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>The loop threads <see cref="IoThreads"/> asks for.</summary>
    public int LoopCount => IoThreads > 0 ? IoThreads : Environment.ProcessorCount;
}
