using System.Diagnostics;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>Disk errors while writing a feeds file, through the published binary: one line, exit 1, nothing left behind.</summary>
public sealed class WriteFailureTests : TempDirectoryTest
{
    /// <summary>
    /// RLIMIT_FSIZE is a real "file too large" (EFBIG) that needs no mount or full disk, so it behaves the same for
    /// root and everyone else; SIGXFSZ is ignored, as in a shell that sets the limit, so the system call fails instead.
    /// .NET reports EFBIG from ftruncate as ArgumentOutOfRangeException, which used to escape as a stack trace.
    /// </summary>
    [Fact]
    public async Task Generate_past_the_file_size_limit_is_one_line_and_exit_code_1()
    {
        var output = Dir.File("feeds.bin");

        var (code, stderr) = await RunUnderFileSizeLimitAsync(64, "generate", "--users", "10000", "--out", output);

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"recfeed generate: cannot write {output}: ", line);
        Assert.DoesNotContain("Exception", line);
        Assert.Empty(Directory.GetFiles(Dir.Path));
    }

    private static async Task<(int Code, string Stderr)> RunUnderFileSizeLimitAsync(int kibibytes, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", $"trap '' XFSZ; ulimit -f {kibibytes}; exec \"$0\" \"$@\"", RepoPaths.Binary, .. args])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }
}
