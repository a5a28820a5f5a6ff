using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RecFeed.Tests.Support;

/// <summary>
/// A real Prometheus (Debian's package) on a free loopback port, with its own config and storage in a test folder,
/// scraping one target every second; queried through its HTTP API.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _client;

    private PrometheusServer(Process process, int port)
    {
        _process = process;
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<PrometheusServer> StartAsync(string folder, Uri target)
    {
        var executable = SystemTool.Find("prometheus", "prometheus");
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: recfeed
                static_configs:
                  - targets: ['{target.Authority}']
            """);
        var port = FreePort.Next();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "prometheus-data")}",
                $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = new Process { StartInfo = start };
        var server = new PrometheusServer(process, port);
        process.OutputDataReceived += (_, e) => server.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => server.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private void Collect(string? line)
    {
        if (line is not null)
            lock (_output)
                _output.AppendLine(line);
    }

    public override string ToString()
    {
        lock (_output)
            return _output.ToString();
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await _client.GetAsync("/-/ready");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
                throw new Xunit.Sdk.XunitException($"prometheus did not become ready (exited: {_process.HasExited}); its output:\n{this}");
            await Task.Delay(100);
        }
    }

    /// <summary>An instant query (at <paramref name="time"/>, Unix seconds, or now); the result vector.</summary>
    public async Task<JsonElement[]> QueryAsync(string promql, double? time = null)
    {
        var uri = "/api/v1/query?query=" + Uri.EscapeDataString(promql)
            + (time is { } t ? "&time=" + t.ToString("R", CultureInfo.InvariantCulture) : "");
        var body = await _client.GetStringAsync(uri);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        var data = json.RootElement.GetProperty("data");
        Assert.True(data.GetProperty("resultType").GetString() == "vector", $"{promql}: expected a vector, got {body}");
        return [.. data.GetProperty("result").EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>Polls <paramref name="promql"/> until <paramref name="done"/> holds; fails after <paramref name="timeout"/> with the last answer.</summary>
    public async Task<JsonElement[]> WaitForAsync(string promql, Func<JsonElement[], bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var result = await QueryAsync(promql);
            if (done(result))
                return result;
            if (clock.Elapsed > timeout)
                Assert.Fail($"{promql}: no expected answer within {timeout.TotalSeconds} s; " +
                    $"last: [{string.Join(", ", result.Select(r => r.GetRawText()))}]\nprometheus:\n{this}");
            await Task.Delay(200);
        }
    }

    /// <summary>The value of a result element.</summary>
    public static double Value(JsonElement sample) => double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);

    public static string Label(JsonElement sample, string name) => sample.GetProperty("metric").GetProperty(name).GetString()!;

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (!_process.HasExited)
            _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
