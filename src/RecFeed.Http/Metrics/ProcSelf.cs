using System.Runtime.InteropServices;

namespace RecFeed.Http.Metrics;

/// <summary>
/// What the kernel tells about this process without a new file descriptor: a scrape must answer when the descriptor
/// table is full, which is exactly when an operator needs it.
/// </summary>
internal static unsafe partial class ProcSelf
{
    private const int AtFdCwd = -100;
    private const uint StatxSize = 0x200;
    private const int RlimitNoFile = 7; // the same on x86-64 and arm64 Linux

    /// <summary>
    /// Open descriptors: since Linux 6.2, stat of /proc/self/fd gives their number as its size, counted by the kernel
    /// from its bitmap of open descriptors, so nothing is listed or opened however many connections there are.
    /// Null on older kernels (size 0) and where statx fails.
    /// </summary>
    public static long? OpenDescriptors()
    {
        // struct statx is the same on every architecture: stx_size is the u64 at offset 40 of 256 bytes.
        var buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, "/proc/self/fd", 0, StatxSize, buffer) != 0)
            return null;
        var size = *(long*)(buffer + 40);
        return size > 0 ? size : null;
    }

    /// <summary>The soft RLIMIT_NOFILE; +Inf when unlimited, NaN if getrlimit fails.</summary>
    public static double DescriptorLimit()
    {
        var limits = stackalloc ulong[2]; // struct rlimit: rlim_cur, rlim_max
        if (GetRLimit(RlimitNoFile, limits) != 0)
            return double.NaN;
        return limits[0] == ulong.MaxValue ? double.PositiveInfinity : limits[0];
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, ulong* limits);
}
