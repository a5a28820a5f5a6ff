using Microsoft.Win32.SafeHandles;
using RecFeed.Native;

namespace RecFeed.Format;

/// <summary>
/// Writes a file under a temporary name in its own folder (<c>.NAME.PID.tmp</c>) and renames it over
/// <c>NAME</c> only when complete, so a reader or a crash sees the old file or the new one, never half of one.
/// Used for the feeds file and for progress snapshots.
/// </summary>
public static class AtomicFile
{
    /// <param name="length">The file's final length: preallocated, so a full disk fails before any work is done.</param>
    /// <param name="flushToDisk">fsync the file before the rename and the folder after it, so the new file also
    /// survives power loss, not just a crash of the process.</param>
    /// <param name="write">Fills the file through positional writes; what it returns is returned.</param>
    public static T Write<T>(string path, long length, bool flushToDisk, Func<SafeFileHandle, T> write)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.tmp");
        try
        {
            T result;
            // Create, not CreateNew: a temporary left by a killed process whose PID this one reuses is ours to replace.
            var options = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 0,
                PreallocationSize = length,
            };
            using (var file = new FileStream(temp, options))
            {
                file.SetLength(length);
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
            File.Delete(temp);
            throw;
        }
    }
}
