using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace RecFeed.Tests.Support;

/// <summary>The published recfeed binary run as a child process, with its output captured.</summary>
public sealed partial class RecFeedProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RecFeedProcess(IEnumerable<string> args, Action<ProcessStartInfo>? configure = null)
    {
        // Through perl's exec, with SIGINT, SIGHUP and SIGTERM at their defaults: a signal ignored when a process
        // starts stays ignored (a test host started in the background inherits an ignored SIGINT, nohup an ignored
        // SIGHUP), and the tests signal serve as a terminal or a supervisor would. perl is in every Debian (perl-base).
        var start = new ProcessStartInfo("perl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add("$SIG{$_} = 'DEFAULT' for qw(INT HUP TERM); exec { $ARGV[0] } @ARGV or die \"cannot run $ARGV[0]: $!\\n\"");
        start.ArgumentList.Add(RepoPaths.Binary);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        configure?.Invoke(start);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public int Id => _process.Id;

    public static RecFeedProcess Start(params string[] args) => new(args);

    /// <summary>Starts it with <paramref name="configure"/> applied first: environment variables, working folder.</summary>
    public static RecFeedProcess Start(Action<ProcessStartInfo> configure, params string[] args) => new(args, configure);

    /// <summary>Runs a command to completion and returns (exit code, stdout, stderr).</summary>
    public static Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(_ => { }, args);

    /// <summary>As <see cref="RunAsync(string[])"/>, with <paramref name="configure"/> applied to the start first.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(Action<ProcessStartInfo> configure, params string[] args)
    {
        using var p = new RecFeedProcess(args, configure);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (code, p.Stdout, p.Stderr);
    }

    /// <summary>Waits for serve's ready line and returns the first address it listens on.</summary>
    public async Task<Uri> WaitForReadyAsync(TimeSpan? timeout = null)
    {
        var finished = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_ready.Task, finished, Task.Delay(timeout ?? TimeSpan.FromSeconds(60)));
        if (done != _ready.Task)
            throw new Xunit.Sdk.XunitException($"serve did not become ready (exited: {_process.HasExited}).\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        return await _ready.Task;
    }

    /// <summary>The first output line (stdout or stderr) containing <paramref name="text"/>, waiting for it if need be.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var line = (Stdout + Stderr).Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line != null)
                return line;
            if (clock.Elapsed > timeout)
                Assert.Fail($"no '{text}' within {timeout.TotalSeconds} s:\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            await Task.Delay(1);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"recfeed did not exit within {timeout}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public void Signal(int signal) => Posix.Signal(_process.Id, signal);

    public const int SIGTERM = 15;
    public const int SIGINT = 2;

    private void OnLine(StringBuilder sink, string? line)
    {
        if (line is null)
            return;
        lock (sink)
            sink.AppendLine(line);
        var m = ReadyLine().Match(line);
        if (m.Success)
            _ready.TrySetResult(new Uri(m.Groups[1].Value));
    }

    [GeneratedRegex(@"listening on (http://[^\s,]+)")]
    private static partial Regex ReadyLine();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
