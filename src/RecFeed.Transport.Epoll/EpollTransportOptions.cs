namespace RecFeed.Transport.Epoll;

/// <summary>How the epoll transport runs: its loop threads and what it holds per connection.</summary>
public sealed class EpollTransportOptions
{
    /// <summary>Loop threads; 0 (the default) for one per core. Every listener shares the same loops.</summary>
    public int IoThreads { get; set; }

    /// <summary>
    /// Received bytes held per connection that Kestrel has not consumed yet, before the transport stops reading and
    /// lets the socket push back on the client. Kestrel's sockets transport default (MaxReadBufferSize).
    /// </summary>
    public long MaxInputBufferSize { get; set; } = 1024 * 1024;

    /// <summary>Bytes Kestrel may write ahead of the socket per connection (Kestrel's MaxWriteBufferSize default).</summary>
    public long MaxOutputBufferSize { get; set; } = 64 * 1024;

    /// <summary>The loop threads <see cref="IoThreads"/> asks for.</summary>
    public int LoopCount => IoThreads > 0 ? IoThreads : Environment.ProcessorCount;
}
