using Microsoft.Win32.SafeHandles;

namespace RecFeed.Http.Metrics;

/// <summary>
/// A /proc file opened once and read again from offset 0 (the kernel regenerates its text for each read at 0), so
/// reading it needs no new descriptor. Opening is retried on the next read when it failed (a full descriptor table);
/// the handle lives as long as the process.
/// </summary>
internal sealed class ProcFile(string path)
{
    private readonly Lock _opening = new();
    private SafeFileHandle? _handle;

    /// <summary>The file's text as read now, or null when it cannot be opened or read (that sample is left out).</summary>
    public string? TryReadText(Span<byte> buffer)
    {
        var handle = _handle ?? TryOpen();
        if (handle is null)
            return null;
        try
        {
            var read = RandomAccess.Read(handle, buffer, 0);
            return System.Text.Encoding.ASCII.GetString(buffer[..read]);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private SafeFileHandle? TryOpen()
    {
        lock (_opening)
        {
            try
            {
                _handle ??= File.OpenHandle(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
            return _handle;
        }
    }
}
