namespace RecFeed.Http.Lifecycle;

/// <summary>How a <see cref="ServeLifecycle"/> ended; the CLI turns it into an exit code.</summary>
public enum ServeExit
{
    /// <summary>Stopped on request, final snapshot written (or nothing to write).</summary>
    Stopped,

    /// <summary>The feeds file is unusable; reported in one line.</summary>
    BadData,

    /// <summary>A listener could not bind, or the state file could not be taken; reported in one line.</summary>
    CannotStart,

    /// <summary>Asked to stop before it was ready.</summary>
    Interrupted,

    /// <summary>Stopped, but the final snapshot could not be written; logged.</summary>
    FinalSnapshotFailed,

    /// <summary>Stopped, final snapshot written, because the transport failed (an epoll loop could not go on); logged.</summary>
    TransportFailed,
}
