using System.Diagnostics;
using System.Net;

namespace FeedWalk;

/// <summary>
/// Sends GET /feed/{user}?size=K for users 0, 1, 2, ... in turn, request i at start + i / rate, from a fixed
/// number of workers, until stopped (the demo script stops it once the failed host has been back for a while).
/// A steady rate (not as fast as possible) keeps each user's reading speed known, so the items
/// a failover repeats can be set against the items a user reads in one sync interval.
/// </summary>
public sealed class Walker(Uri router, UserLog log, int size, int rate, int connections)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private long _next = -1;
    private long _sent;
    private long _failed;

    public long Sent => Interlocked.Read(ref _sent);
    public long Failed => Interlocked.Read(ref _failed);
    public string? FirstError { get; private set; }

    /// <summary>Runs until <paramref name="stop"/>; requests in flight then finish and are counted.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false };
        using var client = new HttpClient(handler) { Timeout = RequestTimeout };
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(_ => WorkAsync(client, clock, stop)).ToArray();
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(HttpClient client, Stopwatch clock, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var i = Interlocked.Increment(ref _next);
            var due = TimeSpan.FromSeconds((double)i / rate) - clock.Elapsed;
            if (due > TimeSpan.Zero && !await DelayAsync(due, stop))
                return;
            var user = (int)(i % log.Users);
            Interlocked.Increment(ref _sent);
            try
            {
                using var response = await client.GetAsync(new Uri(router, $"/feed/{user}?size={size}"));
                var body = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Fail($"{(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body).Trim()}");
                    continue;
                }
                var replica = response.Headers.TryGetValues("X-Served-By", out var names) ? names.First() : "?";
                log.Record(user, replica, body);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Fail(e.Message);
            }
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan due, CancellationToken stop)
    {
        try
        {
            await Task.Delay(due, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Fail(string reason)
    {
        Interlocked.Increment(ref _failed);
        FirstError ??= reason;
    }
}
