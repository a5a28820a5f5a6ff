using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RecFeed.Tests.Support;

/// <summary>strace attached to every thread of a running process, writing its calls to a file until stopped.</summary>
public sealed class Strace : IDisposable
{
    private readonly Process _process;
    private readonly string _output;

    private Strace(Process process, string output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>Attaches (<c>-f -y</c>, paths shown for descriptors) with <paramref name="filter"/> as <c>-e</c>, once every thread is traced.</summary>
    public static async Task<Strace> AttachAsync(int pid, string filter, string output)
    {
        var start = new ProcessStartInfo(SystemTool.Find("strace", "strace")) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-f", "-y", "-e", filter, "-o", output, "-p", pid.ToString(CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var attached = new TaskCompletionSource();
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
                errors.AppendLine(e.Data);
            if (e.Data?.Contains("attached", StringComparison.Ordinal) == true)
                attached.TrySetResult();
        };
        process.BeginErrorReadLine();
        var ready = await Task.WhenAny(attached.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (ready != attached.Task)
        {
            process.Dispose();
            lock (errors)
                Assert.Fail($"strace did not attach to {pid}: {errors}");
        }
        return new Strace(process, output);
    }

    /// <summary>Detaches and returns the traced calls, one per line.</summary>
    public async Task<string[]> StopAsync()
    {
        Posix.Signal(_process.Id, 2);
        await _process.WaitForExitAsync();
        return File.ReadAllLines(_output);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
    }
}
