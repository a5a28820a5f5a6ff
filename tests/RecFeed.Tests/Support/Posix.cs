using System.Runtime.InteropServices;

namespace RecFeed.Tests.Support;

/// <summary>Signals for child processes: .NET's Process.Kill sends only SIGKILL, which no trap or drain sees.</summary>
public static partial class Posix
{
    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed (errno {Marshal.GetLastPInvokeError()})");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
