namespace RecFeed.Cli.Commands;

/// <summary>The ways writing a feeds file can stop short that are not the input's fault, as a message and an exit code.</summary>
internal static class WriteFailure
{
    /// <summary>True for the exceptions <see cref="Report"/> turns into a one-line message.</summary>
    public static bool Handles(Exception e) => e is OperationCanceledException or IOException or UnauthorizedAccessException;

    public static ExitCode Report(TextWriter stderr, string command, string output, Exception e)
    {
        if (e is OperationCanceledException)
        {
            stderr.WriteLine($"recfeed {command}: interrupted; {output} was not written");
            return ExitCode.Interrupted;
        }
        stderr.WriteLine($"recfeed {command}: cannot write {output}: {e.Message}");
        return ExitCode.Failure;
    }
}
