using System.Net;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Http.Lifecycle;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Lifecycle;

/// <summary><see cref="ServeLifecycleTests"/>, continued (one file would pass the 250-line limit).</summary>
public sealed partial class ServeLifecycleTests
{
    [Fact]
    public async Task A_raw_IO_error_while_reloading_is_logged_and_counted_not_thrown()
    {
        var (serve, client) = await StartAsync();
        await using var _ = serve;
        using var __ = client;
        // Reading this process's own memory at address 0 fails with EIO: an IOException no file check expects.
        File.Delete(_data);
        File.CreateSymbolicLink(_data, "/proc/self/mem");

        var result = await serve.ReloadAsync("SIGHUP");

        Assert.False(result.Succeeded);
        Assert.Equal(1, serve.Statistics.Reloads.Attempts);
        Assert.Equal(1, serve.Statistics.Reloads[ReloadOutcome.Failed] + serve.Statistics.Reloads[ReloadOutcome.Rejected]);
        Assert.StartsWith("Error: SIGHUP: reload ", Assert.Single(_log.Matching("SIGHUP: ")));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/feed/3?size=1")).StatusCode);
    }

    [Fact]
    public async Task A_reload_asked_for_while_starting_runs_once_ready()
    {
        var serve = new ServeLifecycle(Options(_data), _log.Factory, TextWriter.Null);
        await using var _ = serve;

        serve.RequestReload("SIGHUP");
        serve.RequestReload("SIGHUP");
        Assert.Null(await serve.StartAsync(CancellationToken.None));
        Assert.Equal(ServeExit.Stopped, await serve.StopAsync()); // waits for the queued reload

        Assert.Single(_log.Matching("SIGHUP: received while starting"));
        Assert.StartsWith("Information: SIGHUP (received while starting): reload skipped", Assert.Single(_log.Matching("(received while starting): ")));
        Assert.Equal(1, serve.Statistics.Reloads.Attempts);
    }

    [Fact]
    public async Task Reloads_asked_for_while_stopping_are_ignored_or_finish_before_anything_is_freed()
    {
        var (serve, client) = await StartAsync();
        client.Dispose();
        long sent = 0;
        using var hammering = new CancellationTokenSource();
        var hangups = Task.Run(() =>
        {
            while (!hammering.IsCancellationRequested)
            {
                serve.RequestReload("SIGHUP");
                Interlocked.Increment(ref sent);
                Thread.Sleep(1);
            }
        });
        while (serve.Statistics.Reloads.Attempts == 0)
            await Task.Delay(1);

        Assert.Equal(ServeExit.Stopped, await serve.StopAsync());
        await serve.DisposeAsync();
        var afterDispose = Interlocked.Read(ref sent);
        while (Interlocked.Read(ref sent) == afterDispose)
            await Task.Delay(1);
        await hammering.CancelAsync();
        await hangups;

        Assert.NotEmpty(_log.Matching("SIGHUP: ignored, the server is stopping"));
        // Every reload that was let in ran to a logged outcome; the rest were refused at the door.
        Assert.Equal(Interlocked.Read(ref sent), _log.Matching("SIGHUP: ").Count);
        Assert.DoesNotContain(_log.Lines, l => l.Contains("Exception", StringComparison.Ordinal));
    }
}
