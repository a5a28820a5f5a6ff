namespace RecFeed.Cli.Commands;

public enum ExitCode
{
    Ok = 0,
    /// <summary>A run-time failure that is not the input's fault: disk full, port taken.</summary>
    Failure = 1,
    /// <summary>The input is unusable: missing, truncated, foreign or corrupt file, or a user outside it.</summary>
    BadInput = 2,
    /// <summary>Stopped by SIGINT before it finished (128 + 2, as shells report it).</summary>
    Interrupted = 130,
}
