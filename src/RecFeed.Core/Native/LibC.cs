using System.Runtime.InteropServices;

namespace RecFeed.Native;

internal static partial class LibC
{
    public const int MADV_HUGEPAGE = 14;

    /// <summary>Advice only: failure (no THP, not Linux) leaves the memory usable, so the result is ignored by callers.</summary>
    [LibraryImport("libc", EntryPoint = "madvise")]
    public static unsafe partial int MAdvise(void* address, nuint length, int advice);
}
