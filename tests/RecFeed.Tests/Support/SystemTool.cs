using System.Diagnostics;

namespace RecFeed.Tests.Support;

/// <summary>A program from a Debian package (haproxy, prometheus, promtool, systemd-analyze) that tests run for real.</summary>
public static class SystemTool
{
    /// <summary>The executable's path; its absence fails the test with what to do, it never skips it.</summary>
    public static string Find(string name, string package)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(["/usr/sbin", "/usr/local/sbin", "/usr/bin"]);
        var found = directories.Where(d => d.Length > 0).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
        Assert.True(found is not null, $"{name} is not installed (not on PATH, nor in /usr/sbin): install it with " +
            $"'apt-get install -y {package}'; ./build.sh test does that itself when it is missing");
        return found!;
    }

    /// <summary>Runs the tool to completion (at most two minutes) and returns its exit code and its stdout and stderr together.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string executable, IEnumerable<string> args, string? stdin = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new Xunit.Sdk.XunitException($"{executable} {string.Join(' ', args)} did not finish within 2 minutes");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
