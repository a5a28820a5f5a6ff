using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using RecFeed.Native;

namespace RecFeed.State;

/// <summary>
/// An exclusive hold on a state file, so two processes never snapshot over each other: flock(LOCK_EX | LOCK_NB) on
/// <c>STATE.lock</c> next to it, which holds the holder's pid. The kernel drops the lock when the descriptor closes,
/// also on kill -9, so a stale lock file (left in place on purpose: deleting it would let a third process lock a new
/// inode while a second still waits on the old one) never blocks a start.
/// The descriptor comes from libc, not File.OpenHandle: .NET takes its own flock on every handle it opens (shared,
/// or exclusive for FileShare.None), and that one fails without a way to read who holds the file; it can also be
/// switched off by DOTNET_SYSTEM_IO_DISABLEFILELOCKING.
/// </summary>
public sealed class StateLock : IDisposable
{
    /// <summary>
    /// How long a held lock is retried before refusing. A lock its holder just released can stay held for a moment:
    /// a child process the holder forked keeps a copy of the descriptor until its exec closes it (O_CLOEXEC), and an
    /// exiting holder closes it last. Only a lock still held after that is another live owner.
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    private readonly SafeFileHandle _handle;

    private StateLock(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The lock file: <c>STATE.lock</c>.</summary>
    public string Path { get; }

    /// <summary>Takes the lock on <paramref name="statePath"/> or throws <see cref="StateLockException"/> naming the holder.</summary>
    public static StateLock Acquire(string statePath)
    {
        var path = statePath + ".lock";
        if (!OperatingSystem.IsLinux())
            return new StateLock(path, OpenExclusive(statePath, path));
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, Convert.ToInt32("644", 8));
        if (fd < 0)
            throw new StateLockException($"cannot lock the state file {statePath}: {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var started = Stopwatch.GetTimestamp();
        while (LibC.FLock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error == LibC.EWOULDBLOCK && Stopwatch.GetElapsedTime(started) < Patience)
            {
                Thread.Sleep(10);
                continue;
            }
            var holder = error == LibC.EWOULDBLOCK ? HolderOf(handle) : null;
            handle.Dispose();
            throw new StateLockException(error == LibC.EWOULDBLOCK
                ? $"the state file {statePath} is in use by another recfeed process ({(holder is { } pid ? $"pid {pid}" : "pid unknown")}, " +
                    $"lock {path}); give each instance its own --state"
                : $"cannot lock the state file {statePath}: {path}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
        WritePid(handle);
        return new StateLock(path, handle);
    }

    /// <summary>
    /// Elsewhere the constants above differ; an exclusive open (mandatory on Windows, a .NET flock on macOS) still
    /// keeps a second process out, without naming it.
    /// </summary>
    private static SafeFileHandle OpenExclusive(string statePath, string path)
    {
        try
        {
            var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            WritePid(handle);
            return handle;
        }
        catch (IOException e)
        {
            throw new StateLockException($"cannot lock the state file {statePath}: {path}: {e.Message}");
        }
    }

    private static void WritePid(SafeFileHandle handle)
    {
        var text = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, text, 0);
    }

    /// <summary>The pid written by the holder; null while it has not written it yet or the file holds something else.</summary>
    private static int? HolderOf(SafeFileHandle handle)
    {
        Span<byte> text = stackalloc byte[16];
        var read = RandomAccess.Read(handle, text, 0);
        return int.TryParse(Encoding.ASCII.GetString(text[..read]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    public void Dispose() => _handle.Dispose();
}
