using System.Diagnostics;
using System.Text;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sharding;

/// <summary>A real HAProxy in the foreground on a loopback port, running a config written by <c>recfeed haproxy-config</c>.</summary>
internal sealed class RouterProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private RouterProcess(Process process, StringBuilder output, int port)
    {
        (_process, _output) = (process, output);
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Client { get; }

    /// <summary>The haproxy executable; its absence fails the test with what to do, it never skips it.</summary>
    public static string Executable => SystemTool.Find("haproxy", "haproxy");

    /// <summary>Checks the config with <c>haproxy -c</c>, and returns the checker's output on failure.</summary>
    public static void AssertValid(string configPath)
    {
        using var check = Process.Start(new ProcessStartInfo(Executable)
        {
            ArgumentList = { "-c", "-f", configPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = check.StandardOutput.ReadToEndAsync();
        var stderr = check.StandardError.ReadToEnd();
        check.WaitForExit();
        Assert.True(check.ExitCode == 0, $"haproxy -c rejected {configPath}:\n{stdout.Result}{stderr}\n{File.ReadAllText(configPath)}");
    }

    public static async Task<RouterProcess> StartAsync(string configPath, int port)
    {
        AssertValid(configPath);
        var output = new StringBuilder();
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(Executable)
            {
                // -db: stay in the foreground, so killing this process stops the router.
                ArgumentList = { "-db", "-f", configPath },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is not null)
                lock (output)
                    output.AppendLine(e.Data);
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var router = new RouterProcess(process, output, port);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // monitor-uri: HAProxy answers it itself once it listens.
                using var response = await router.Client.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                    return router;
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                var log = router.ToString();
                router.Dispose();
                throw new InvalidOperationException($"haproxy did not come up on port {port}; its output:\n{log}");
            }
            await Task.Delay(50);
        }
    }

    public override string ToString()
    {
        lock (_output)
            return _output.ToString();
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
            _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}
