namespace RecFeed.Tests.Support;

/// <summary>
/// The published binary running <c>recfeed serve</c> on a free loopback port, read from the ready line
/// "... listening on http://127.0.0.1:P", with a client for it. Admin settings are recfeed's defaults unless a test
/// passes its own.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    public const int SIGHUP = 1;
    public const int SIGKILL = 9;
    public const int SIGTERM = RecFeedProcess.SIGTERM;

    private readonly RecFeedProcess _process;

    private ServeProcess(RecFeedProcess process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }
    public HttpClient Client { get; }
    public string Output => _process.Stdout + _process.Stderr;
    public int Id => _process.Id;

    /// <summary>Starts <c>recfeed serve --data DATA ARGS</c> on port 0 and waits until it is ready.</summary>
    public static Task<ServeProcess> StartAsync(string data, params string[] args) => StartOnPortAsync(data, 0, args);

    /// <summary>As <see cref="StartAsync"/> on a given public port: a restarted shard must come back where its router expects it.</summary>
    public static Task<ServeProcess> StartOnPortAsync(string data, int port, params string[] args) => StartOnPortAsync(_ => { }, data, port, args);

    /// <summary>As <see cref="StartOnPortAsync(string, int, string[])"/> with <paramref name="configure"/> applied first (environment variables).</summary>
    public static async Task<ServeProcess> StartOnPortAsync(Action<System.Diagnostics.ProcessStartInfo> configure, string data, int port, params string[] args)
    {
        var process = RecFeedProcess.Start(configure, ["serve", "--data", data, "--urls", $"http://127.0.0.1:{port}", .. args]);
        try
        {
            return new ServeProcess(process, await process.WaitForReadyAsync());
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>The first output line containing <paramref name="text"/>, waiting for it if need be.</summary>
    public Task<string> WaitForLineAsync(string text, TimeSpan timeout) => _process.WaitForLineAsync(text, timeout);

    public void Signal(int signal) => _process.Signal(signal);

    /// <summary>SIGKILL and wait: the process dies as on a crashed machine, without draining or a final snapshot.</summary>
    public void Kill()
    {
        Signal(SIGKILL);
        _process.WaitForExitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
    }

    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <summary>Resident memory of the server process, from /proc.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("no VmRSS in /proc status");
    }

    /// <summary>How many file descriptors the server process holds open now, from /proc.</summary>
    public int OpenDescriptors() => Directory.GetFileSystemEntries($"/proc/{_process.Id}/fd").Length;

    /// <summary>For a failure message: the open descriptors by kind ("socket 12, pipe 3, /path 1"), from their /proc links.</summary>
    public string DescribeDescriptors() => string.Join(", ", Directory.GetFileSystemEntries($"/proc/{_process.Id}/fd")
        .Select(fd => new FileInfo(fd).LinkTarget ?? "closed")
        .GroupBy(target => target.Split(':')[0])
        .OrderByDescending(kind => kind.Count())
        .Select(kind => $"{kind.Key} {kind.Count()}"));

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
