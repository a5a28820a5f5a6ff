using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RecFeed.Native;

internal static partial class LibC
{
    public const int MADV_HUGEPAGE = 14;
    public const int O_RDONLY = 0;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_CLOEXEC = 0x80000;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int EWOULDBLOCK = 11;

    /// <summary>Advice only: failure (no THP, not Linux) leaves the memory usable, so the result is ignored by callers.</summary>
    [LibraryImport("libc", EntryPoint = "madvise")]
    public static unsafe partial int MAdvise(void* address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    /// <summary>open(2) with a mode, for files that may be created.</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int FLock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "fsync")]
    public static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(SafeFileHandle fd, byte* stat);

    /// <summary>
    /// The inode number of an open file; 0 where there is none to ask for (not Linux). st_ino sits at offset 8 of
    /// struct stat on both x86-64 and arm64 Linux; the buffer is larger than either struct.
    /// </summary>
    public static unsafe ulong Inode(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        var stat = stackalloc byte[256];
        if (FStat(handle, stat) != 0)
            throw new IOException($"fstat failed (errno {Marshal.GetLastPInvokeError()})");
        return *(ulong*)(stat + 8);
    }

    /// <summary>
    /// Flushes a folder's entries, so a rename in it survives power loss, not just a crash. .NET cannot open a
    /// folder as a file handle, hence libc. Best effort: where it fails, the rename is still atomic.
    /// </summary>
    public static void FSyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Open(directory, O_RDONLY);
        if (fd < 0)
            return;
        _ = FSync(fd);
        _ = Close(fd);
    }
}
