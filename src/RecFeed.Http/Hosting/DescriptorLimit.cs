using System.Runtime.InteropServices;

namespace RecFeed.Http.Hosting;

/// <summary>
/// The process's limit on open file descriptors, one per connection. CoreCLR and Go raise the soft limit to the hard
/// one when they start; the Native AOT runtime does not, so a server started under a shell's soft 1024 would refuse
/// connections its operator allowed (LimitNOFILE, the hard limit).
/// </summary>
public static partial class DescriptorLimit
{
    private const int RLIMIT_NOFILE = 7;

    /// <summary>Raises the soft limit to the hard one; where that fails, the soft limit stays (and the ready line shows it).</summary>
    public static void RaiseSoftToHard()
    {
        if (GetRLimit(RLIMIT_NOFILE, out var limit) == 0 && limit.Soft < limit.Hard)
            SetRLimit(RLIMIT_NOFILE, new RLimit { Soft = limit.Hard, Hard = limit.Hard });
    }

    /// <summary>The soft limit in force (0 if it cannot be read).</summary>
    public static ulong Soft => GetRLimit(RLIMIT_NOFILE, out var limit) == 0 ? limit.Soft : 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Soft;
        public ulong Hard;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
