using Microsoft.Extensions.Logging;

namespace RecFeed.Tests.Support;

/// <summary>A logger factory whose formatted lines a test can read back, as "Level: message".</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public CapturedLog() => Factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(this));

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }

    /// <summary>The lines containing <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Matching(string text) => [.. Lines.Where(l => l.Contains(text, StringComparison.Ordinal))];

    public ILogger CreateLogger(string categoryName) => new Sink(this);

    private bool _disposed;

    public void Dispose()
    {
        // The factory may dispose its providers, this one included.
        if (_disposed)
            return;
        _disposed = true;
        Factory.Dispose();
    }

    private sealed class Sink(CapturedLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (log._lines)
                log._lines.Add($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
