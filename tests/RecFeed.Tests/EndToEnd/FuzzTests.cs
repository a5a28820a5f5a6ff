using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using RecFeed.Tests.Hardening;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// Thousands of malformed requests over raw sockets against the published binary. Afterwards the server is up,
/// /healthz answers 200 and no response was a 5xx. Resident memory per round is printed, not judged: over a window it
/// measures the garbage collector, not what the server keeps.
/// One 5xx is Kestrel's own and correct: 505 for an HTTP version it does not speak (RFC 9110 15.6.6); it is
/// counted and reported, never produced by recfeed code, and any other 5xx fails the test.
/// </summary>
public sealed class FuzzTests : TempDirectoryTest
{
    private const int WarmUp = 2_000;
    private const int Rounds = 9;
    private const int RoundCases = 2_000;

    private sealed class Tally
    {
        public readonly ConcurrentDictionary<int, int> Statuses = new();
        public readonly ConcurrentQueue<string> ServerErrors = new();
        public int Sent;
        public int Version505;
    }

    [Fact]
    public async Task Thousands_of_malformed_requests_never_get_a_5xx()
    {
        var data = Dir.File("feeds.bin");
        TwoDatasets.Write(data, dataset: 1, users: 100, itemsPerUser: 20);
        await using var serve = await ServeProcess.StartAsync(data);
        var cases = new FuzzCases(seed: 20261127);
        var tally = new Tally();

        // Warm-up fills Kestrel's buffer pool and the GC's budgets, so the resident memory printed per round compares.
        await RunAsync(serve.Address, cases.Take(WarmUp), tally);
        var baseline = serve.ResidentBytes();
        var clock = Stopwatch.StartNew();
        var trajectory = new List<long>();
        for (var round = 0; round < Rounds; round++)
        {
            await RunAsync(serve.Address, cases.Take(RoundCases), tally);
            trajectory.Add(serve.ResidentBytes());
        }
        var elapsed = clock.Elapsed;

        using var healthz = await serve.Client.GetAsync("/healthz");
        var statuses = string.Join(", ", tally.Statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));
        Console.WriteLine($"fuzz: {tally.Sent} malformed requests ({WarmUp} warm-up + {Rounds} x {RoundCases}) in {elapsed.TotalSeconds:F1} s; " +
            $"statuses {statuses}; 505 for an unknown HTTP version: {tally.Version505}; RSS {baseline >> 20} MiB after warm-up, " +
            $"then per round {string.Join(' ', trajectory.Select(b => b >> 20))} MiB (printed, not judged)");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.True(tally.ServerErrors.IsEmpty, string.Join('\n', tally.ServerErrors.Take(20)));
        Assert.DoesNotContain("fail:", serve.Output);
        Assert.DoesNotContain("crit:", serve.Output);
    }

    /// <summary>Kestrel's parser rejecting the request line's version token: no body, connection closed, before any recfeed code runs.</summary>
    private static ReadOnlySpan<byte> KestrelVersionRejection => "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Length: 0\r\nConnection: close\r\n"u8;

    private static async Task RunAsync(Uri server, IEnumerable<FuzzCase> cases, Tally tally)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = 16 };
        await Parallel.ForEachAsync(cases, options, async (fuzz, _) =>
        {
            Interlocked.Increment(ref tally.Sent);
            if (fuzz.End != FuzzCase.Ending.Read)
            {
                await RawHttp.SendAndDropAsync(server, fuzz.Bytes, reset: fuzz.End == FuzzCase.Ending.Reset);
                return;
            }
            var response = await RawHttp.ExchangeAsync(server, [.. fuzz.Bytes, .. RawHttp.Closer], TimeSpan.FromSeconds(2));
            foreach (var status in RawHttp.Statuses(response))
            {
                tally.Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status == 505 && response.AsSpan().IndexOf(KestrelVersionRejection) >= 0)
                    Interlocked.Increment(ref tally.Version505);
                else if (status >= 500)
                    tally.ServerErrors.Enqueue($"{status} for {fuzz.Kind}: {Convert.ToHexString(fuzz.Bytes[..Math.Min(80, fuzz.Bytes.Length)])}");
            }
        });
    }
}
