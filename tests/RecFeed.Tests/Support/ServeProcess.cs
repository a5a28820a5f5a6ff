using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace RecFeed.Tests.Support;

/// <summary>
/// The published binary running <c>recfeed serve</c> on free loopback ports (public and admin), with its output
/// captured. The ports come from the ready line: "... listening on http://127.0.0.1:P (admin: http://127.0.0.1:A)".
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGHUP = 1;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private ServeProcess(Process process) => _process = process;

    public Uri Address { get; private set; } = null!;
    public Uri AdminAddress { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public int Pid => _process.Id;
    public string Output => string.Join('\n', _lines);

    /// <summary>Starts <c>recfeed serve --data DATA ARGS</c> and waits for the ready line.</summary>
    public static async Task<ServeProcess> StartAsync(string data, params string[] args)
    {
        var info = new ProcessStartInfo(RepoPaths.Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["serve", "--data", data, "--urls", "http://127.0.0.1:0", "--admin-urls", "http://127.0.0.1:0", .. args])
            info.ArgumentList.Add(arg);
        var serve = new ServeProcess(new Process { StartInfo = info });
        serve._process.OutputDataReceived += (_, e) => serve.Add(e.Data);
        serve._process.ErrorDataReceived += (_, e) => serve.Add(e.Data);
        serve._process.Start();
        serve._process.BeginOutputReadLine();
        serve._process.BeginErrorReadLine();
        var ready = ReadyLine().Match(await serve.WaitForLineAsync("listening on", TimeSpan.FromSeconds(60)));
        Assert.True(ready.Success, "ready line without addresses:\n" + serve.Output);
        serve.Address = new Uri(ready.Groups[1].Value);
        serve.AdminAddress = new Uri(ready.Groups[2].Value);
        serve.Client = new HttpClient { BaseAddress = serve.Address, Timeout = TimeSpan.FromSeconds(30) };
        return serve;
    }

    private void Add(string? line)
    {
        if (line == null)
            return;
        _lines.Enqueue(line);
        _lineArrived.Release();
    }

    /// <summary>The first output line containing <paramref name="text"/>, waiting for it if need be.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var line = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line != null)
                return line;
            if (_process.HasExited && !await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200)))
                Assert.Fail($"recfeed exited ({_process.ExitCode}) without printing '{text}':\n{Output}");
            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
                Assert.Fail($"no '{text}' within {timeout.TotalSeconds} s:\n{Output}");
            await _lineArrived.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    /// <summary>Waits for the process to end; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Resident memory of the server process, from /proc.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("no VmRSS in /proc status");
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _lineArrived.Dispose();
    }

    [GeneratedRegex(@"listening on (http://\S+) \(admin: (http://\S+)\)")]
    private static partial Regex ReadyLine();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
