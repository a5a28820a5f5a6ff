using System.Diagnostics;

namespace RecFeed.Cli.Commands;

/// <summary>A one-line progress bar redrawn in place on a terminal at most ten times a second; silent when redirected.</summary>
internal sealed class ProgressBar(TextWriter writer, long total, string unit, long unitBytes)
{
    private const int Width = 30;
    private readonly Lock _lock = new();
    private readonly long _interval = Stopwatch.Frequency / 10;
    private long _lastDraw;
    private bool _drawn;

    public static ProgressBar? ForStderr(long total, string unit, long unitBytes) =>
        Console.IsErrorRedirected ? null : new ProgressBar(Console.Error, total, unit, unitBytes);

    public void Report(long doneBytes)
    {
        var now = Stopwatch.GetTimestamp();
        if (now - Volatile.Read(ref _lastDraw) < _interval && doneBytes < total)
            return;
        lock (_lock)
        {
            _lastDraw = now;
            var fraction = total == 0 ? 1 : Math.Min(1.0, (double)doneBytes / total);
            var filled = (int)(fraction * Width);
            var bar = new string('#', filled) + new string('.', Width - filled);
            writer.Write($"\r[{bar}] {fraction,4:P0} {doneBytes / unitBytes:N0} / {total / unitBytes:N0} {unit}");
            _drawn = true;
        }
    }

    /// <summary>Ends the bar's line so the next output starts clean.</summary>
    public void Complete()
    {
        lock (_lock)
            if (_drawn)
                writer.WriteLine();
    }
}
