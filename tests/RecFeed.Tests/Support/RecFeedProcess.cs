using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RecFeed.Tests.Support;

/// <summary>The published binary as a child process: a command run to its end, or <c>serve</c> kept running.</summary>
public sealed partial class RecFeedProcess : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private RecFeedProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }
    public HttpClient Client { get; }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs <c>recfeed args...</c> with stdin closed and output captured; fails the test if it hangs.</summary>
    public static async Task<Result> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>recfeed serve</c> on a free loopback port and waits for its ready line.</summary>
    public static async Task<RecFeedProcess> ServeAsync(string data)
    {
        var process = Process.Start(StartInfo(["serve", "--data", data, "--urls", "http://127.0.0.1:0"]))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (Listening().Match(line) is { Success: true } match)
                {
                    // Keep draining stdout so request logging can never block the server on a full pipe.
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new RecFeedProcess(process, new Uri(match.Groups[1].Value));
                }
            }
            throw new InvalidOperationException($"serve exited before it was ready: {await stderr}");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(RepoPaths.Binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return info;
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)$")]
    private static partial Regex Listening();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
