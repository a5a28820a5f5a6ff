using Microsoft.Extensions.Logging;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// The serve's log with every line of one feed prefixed "feed NAME: ", so a reload, a restore or a snapshot failure
/// says which feed it is about; the fields of a JSON line stay as they are. Only when named feeds are served: a
/// serve of <c>--data</c> alone logs exactly as it did.
/// </summary>
internal sealed class FeedLogger(ILogger inner, string feed) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        inner.Log(logLevel, eventId, state, exception, (s, e) => $"feed {feed}: {formatter(s, e)}");
}
