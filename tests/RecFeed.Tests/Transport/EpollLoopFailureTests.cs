using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Transport;

/// <summary>
/// No exception leaves an epoll loop's thread: an index that wraps, a fault in work a loop runs. An exception that
/// escaped would end this test process (the runtime aborts on an unhandled exception on any thread).
/// </summary>
public sealed class EpollLoopFailureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// With three loops, an int index went negative past int.MaxValue and threw on the accepting loop. Each
    /// connection here is answered, and no loop reports a failure.
    /// </summary>
    [Theory]
    [InlineData((ulong)int.MaxValue - 2)]
    [InlineData((ulong)uint.MaxValue - 2)]
    [InlineData(ulong.MaxValue - 2)]
    public async Task Connections_accepted_across_the_wrap_of_the_loop_index_are_all_answered(ulong start)
    {
        var failures = 0;
        await using var host = await EpollHost.StartAsync(o =>
        {
            o.IoThreads = 3;
            o.LoopFailed = _ => Interlocked.Increment(ref failures);
        });
        host.Factory.NextLoopIndex = start;
        for (var i = 0; i < 6; i++)
        {
            var response = await RawHttp.GetAsync(host.Address, "/").WaitAsync(Patience);
            Assert.Equal(200, RawHttp.Status(response));
        }
        Assert.Equal(start + 6, host.Factory.NextLoopIndex);
        Assert.Equal(0, failures);
        Assert.Empty(host.Log.Matching("failed"));
    }

    [Fact]
    public async Task A_loop_that_fails_closes_its_connections_logs_one_line_and_reports_once_while_the_others_serve()
    {
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reports = 0;
        await using var host = await EpollHost.StartAsync(o =>
        {
            o.IoThreads = 2;
            o.LoopFailed = e =>
            {
                Interlocked.Increment(ref reports);
                reported.TrySetResult(e);
            };
        });
        // Connections go to loops 0, 1, 0, 1: the second one lives on the loop that is made to fail.
        using var onZero = await RawHttp.ConnectAsync(host.Address);
        using var onOne = await RawHttp.ConnectAsync(host.Address);
        await WaitForAsync(() => host.Metrics.ConnectionsOpen == 2);

        host.Factory.Loops[1].Schedule(_ => throw new InvalidOperationException("injected fault"), null);

        var failure = await reported.Task.WaitAsync(Patience);
        Assert.Equal("injected fault", failure.Message);
        var line = Assert.Single(host.Log.Lines, l => l.Contains("epoll loop", StringComparison.Ordinal));
        Assert.Equal("Critical: epoll loop 1 failed and closed its connections; the server must stop: InvalidOperationException: injected fault", line);
        // Its connection was closed; the first loop still accepts and serves.
        Assert.True(await EndedAsync(onOne), "the failed loop's connection is still open");
        await onZero.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray());
        Assert.Equal(200, (await new ResponseReader(onZero).ReadAsync(new CancellationTokenSource(Patience).Token))!.Status);
        Assert.Equal(200, RawHttp.Status(await RawHttp.GetAsync(host.Address, "/").WaitAsync(Patience)));
        Assert.Equal(1, reports);
    }

    /// <summary>True once the server closed or reset the connection; false if it stayed open and silent.</summary>
    private static async Task<bool> EndedAsync(System.Net.Sockets.Socket socket)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            return await socket.ReceiveAsync(new byte[1], System.Net.Sockets.SocketFlags.None, timeout.Token) == 0;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    internal static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
            await Task.Delay(10, timeout.Token);
    }
}
