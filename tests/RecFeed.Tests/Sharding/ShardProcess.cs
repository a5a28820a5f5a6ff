using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sharding;

/// <summary><c>recfeed serve</c> from the published binary, on loopback, ready once it has logged where it listens.</summary>
internal sealed partial class ShardProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private ShardProcess(Process process, StringBuilder output, int port)
    {
        (_process, _output, Port) = (process, output, port);
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public HttpClient Client { get; }

    /// <param name="port">0 lets the OS choose; a restart passes the port it had, since the router knows it by port.</param>
    public static async Task<ShardProcess> StartAsync(string feedsFile, int port = 0)
    {
        var start = new ProcessStartInfo(RepoPaths.Binary)
        {
            ArgumentList = { "serve", "--data", feedsFile, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var output = new StringBuilder();
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (output)
                output.AppendLine(e.Data);
            if (ReadyLine().Match(e.Data) is { Success: true } m)
                ready.TrySetResult(int.Parse(m.Groups[1].ValueSpan));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (output)
                    output.AppendLine(e.Data);
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("exited before it was ready"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ShardProcess(process, output, await ready.Task.WaitAsync(StartTimeout));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            process.Kill();
            process.WaitForExit();
            lock (output)
                throw new InvalidOperationException($"recfeed serve --data {feedsFile}: {e.Message}; its output:\n{output}");
        }
    }

    /// <summary>SIGKILL: the shard dies the way a crashed machine would, without draining.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.WaitForExit();
    }

    public override string ToString()
    {
        lock (_output)
            return _output.ToString();
    }

    public void Dispose()
    {
        Client.Dispose();
        Kill();
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ReadyLine();
}
