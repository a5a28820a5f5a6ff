using System.Net.Sockets;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// What one <c>GET /metrics</c> asks the kernel about the process, seen by strace on the published binary: the same
/// /proc reads with 8 connections open as with 400, so a scrape costs the same whatever the connection count.
/// </summary>
public sealed class ScrapeCostTests : TempDirectoryTest
{
    [Fact]
    public async Task A_scrape_makes_the_same_proc_calls_with_8_or_408_connections_open()
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, 1_000, itemsPerUser: 20, fallback: 30);
        await using var server = await ServeProcess.StartAsync(data, "--snapshot-interval", "3600", "--drain-seconds", "0");
        // The first scrape opens what later ones keep: measured from the second on.
        await server.Client.GetStringAsync("/metrics");
        var held = new List<Socket>();
        try
        {
            held.AddRange(await ConnectAsync(server, 8));
            var few = await ProcCallsOfOneScrapeAsync(server, "few");
            held.AddRange(await ConnectAsync(server, 400));
            var many = await ProcCallsOfOneScrapeAsync(server, "many");
            Assert.True(few.Length > 0, "strace saw no /proc call during the scrape; is the trace attached?");
            Assert.True(few.SequenceEqual(many), $"/proc calls of a scrape with {8} connections:\n{string.Join('\n', few)}\n\nwith 408 " +
                $"({many.Length} calls):\n{string.Join('\n', many.Take(20))}");
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Opens <paramref name="count"/> connections and waits until the server holds a descriptor for each.</summary>
    private static async Task<List<Socket>> ConnectAsync(ServeProcess server, int count)
    {
        var before = server.OpenDescriptors();
        var sockets = new List<Socket>();
        for (var i = 0; i < count; i++)
            sockets.Add(await RawHttp.ConnectAsync(server.Address));
        for (var wait = 0; server.OpenDescriptors() < before + count && wait < 6_000; wait++)
            await Task.Delay(10);
        Assert.True(server.OpenDescriptors() >= before + count, $"the server did not accept {count} connections");
        return sockets;
    }

    /// <summary>
    /// The server's calls naming a /proc path during one scrape, each reduced to its name and path (no pids, results
    /// or addresses), in order: strace attaches to every thread, the scrape runs, strace detaches.
    /// </summary>
    private async Task<string[]> ProcCallsOfOneScrapeAsync(ServeProcess server, string name)
    {
        using var strace = await Strace.AttachAsync(server.Id, "trace=%file,%desc", Dir.File($"{name}.strace"));
        await server.Client.GetStringAsync("/metrics");
        return [.. (await strace.StopAsync()).Where(l => l.Contains("/proc/", StringComparison.Ordinal)).Select(Reduce)];
    }

    /// <summary>"1234 statx(AT_FDCWD, "/proc/self/fd", ...) = 0" to "statx /proc/self/fd"; a pid in a path becomes "PID".</summary>
    private static string Reduce(string line)
    {
        var call = line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        var syscall = call[..call.IndexOf('(', StringComparison.Ordinal)];
        var at = call.IndexOf("/proc/", StringComparison.Ordinal);
        var path = new string([.. call[at..].TakeWhile(c => c is not ('"' or '>' or ',' or ')'))]);
        return syscall + " " + System.Text.RegularExpressions.Regex.Replace(path, @"/\d+(/|$)", "/PID$1");
    }
}
