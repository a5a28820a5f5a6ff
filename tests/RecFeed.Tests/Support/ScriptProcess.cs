using System.Diagnostics;
using System.Text;

namespace RecFeed.Tests.Support;

/// <summary>
/// A shipped shell script (deploy/, bench/) run from the repository root as a user would run it, with its output
/// captured. Disposing stops it the way a user's Ctrl-C does (a signal to the script, whose traps stop what it
/// started), and only then kills what is left.
/// </summary>
public sealed class ScriptProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ScriptProcess(string script, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { Path.Combine(RepoPaths.Root, script) },
        };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        _process = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is not null)
                lock (_output)
                    _output.AppendLine(e.Data);
        };
        _process.OutputDataReceived += collect;
        _process.ErrorDataReceived += collect;
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="script"/> (a path relative to the repository root) with extra environment variables.</summary>
    public static ScriptProcess Start(string script, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        new(script, environment, args);

    /// <summary>Waits for the script to end and returns its exit code; fails the test with its output if it does not.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the script did not end within {timeout}; its output:\n{Output}");
        }
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public void Signal(int signal) => Posix.Signal(_process.Id, signal);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Posix.Signal(_process.Id, RecFeedProcess.SIGTERM);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
                _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
        _process.Dispose();
    }
}
