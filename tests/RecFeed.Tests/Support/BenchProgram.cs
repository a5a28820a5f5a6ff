using System.Diagnostics;

namespace RecFeed.Tests.Support;

/// <summary>A bench program built beside the tests (a project reference), run as its own process with <c>dotnet</c>.</summary>
public static class BenchProgram
{
    /// <summary>Runs <paramref name="dll"/> (e.g. "SnapshotCost.dll") to completion, at most two minutes; exit code and output.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(patience.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
