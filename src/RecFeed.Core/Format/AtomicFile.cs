using Microsoft.Win32.SafeHandles;
using RecFeed.Native;

namespace RecFeed.Format;

/// <summary>
/// Writes a file under a temporary name in its own folder (<c>.NAME.RANDOM.tmp</c>) and renames it over
/// <c>NAME</c> only when complete, so a reader or a crash sees the old file or the new one, never half of one.
/// Used for the feeds file and for snapshots of the read positions.
/// </summary>
/// <remarks>
/// The folder may be shared (a data volume, /tmp). The temporary is created exclusively (O_CREAT|O_EXCL, which does
/// not follow a symlink), so a link planted at its name can never turn our write into a write through it, and we
/// never truncate or delete a file we did not create. The random name (Random.Shared, seeded from the OS; not the
/// crypto generator, whose first use loads OpenSSL, +4 MB RSS, in a long-running serve) keeps anyone from squatting
/// the name in advance to make the write fail.
/// </remarks>
public static class AtomicFile
{
    /// <param name="length">The file's final length: preallocated, so a full disk fails before any work is done.</param>
    /// <param name="flushToDisk">fsync the file before the rename and the folder after it, so the new file also
    /// survives power loss, not just a crash of the process.</param>
    /// <param name="write">Fills the file through positional writes; what it returns is returned.</param>
    /// <exception cref="IOException">A disk error, including a length the file system or the file size limit refuses.</exception>
    public static T Write<T>(string path, long length, bool flushToDisk, Func<SafeFileHandle, T> write)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Random.Shared.NextInt64():x16}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
            PreallocationSize = length,
        };
        // Outside the cleanup below: if the name exists, it is not ours to delete.
        var file = new FileStream(temp, options);
        try
        {
            T result;
            using (file)
            {
                SetLength(file, length);
                result = write(file.SafeFileHandle);
                if (flushToDisk)
                    file.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
            if (flushToDisk)
                LibC.FSyncDirectory(directory);
            return result;
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    /// <summary>.NET reports EFBIG (past the file system's or RLIMIT_FSIZE's limit) from ftruncate as an argument error; it is a disk error.</summary>
    private static void SetLength(FileStream file, long length)
    {
        try
        {
            file.SetLength(length);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new IOException($"the file system or the file size limit does not allow a file of {length} bytes");
        }
    }

    /// <summary>Cleanup must not hide the error that caused it (the folder may be gone by now).</summary>
    private static void DeleteQuietly(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
