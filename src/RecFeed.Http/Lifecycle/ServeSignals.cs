using System.Runtime.InteropServices;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// The signals of one serve, taken over from their default actions as the runtime's <c>ConsoleLifetime</c> does:
/// SIGHUP reloads; the first SIGINT or SIGTERM stops, and says which it was (a supervisor's SIGTERM drains, a
/// person's Ctrl-C does not); a second one ends a drain early. Kept until the serve is disposed, so a SIGHUP while
/// the listeners are disposed does not end the process.
/// </summary>
internal sealed class ServeSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _endDrain = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;
    private volatile bool _interrupted;

    public ServeSignals(Action<string> hangup)
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                hangup("SIGHUP");
            }),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop),
        ];
    }

    /// <summary>Fires at the first SIGINT or SIGTERM.</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>Fires at the second.</summary>
    public CancellationToken EndDrain => _endDrain.Token;

    /// <summary>The first was SIGINT; valid once <see cref="Stop"/> fired.</summary>
    public bool Interrupted => _interrupted;

    private void OnStop(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _received) != 1)
        {
            _endDrain.Cancel();
            return;
        }
        // Written before the stop fires, so whoever wakes on it reads the right kind.
        _interrupted = context.Signal == PosixSignal.SIGINT;
        _stop.Cancel();
    }

    public void Dispose()
    {
        // The token sources are left to the collector: a handler already running may still cancel one.
        foreach (var registration in _registrations)
            registration.Dispose();
    }
}
