using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using RecFeed.Http.Hosting;
using RecFeed.Http.Metrics;
using RecFeed.Transport.Epoll;
using RecFeed.Transport.Epoll.Internal;

namespace RecFeed.Tests.Transport;

/// <summary>
/// Once a loop has exited, work queued for its connections runs on the threads that schedule it, so a connection
/// can be closed by two threads at once. Its socket must be closed once: a second close() would close whatever
/// descriptor took the number in between.
/// </summary>
public sealed class EpollCloseRaceTests
{
    private const int Rounds = 5_000;

    [Fact]
    public async Task A_connection_closed_by_two_threads_at_once_closes_its_socket_once_and_other_descriptors_survive()
    {
        var metrics = new EpollTransportMetrics(1);
        var loop = new EpollLoop(0, MemoryPool<byte>.Shared, new EpollTransportOptions(), metrics.Loops[0], new EpollTrace(NullLogger.Instance));
        loop.Start();
        var aborted = new ConnectionAbortedException("The server is stopping.");
        var sentinels = new List<SafeHandleProbe>();
        EpollConnection? current = null;
        // Spinning, not blocking, so both threads leave the start line within the few microseconds the close takes.
        int started = 0, closed = 0;
        var closers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            for (var round = 1; round <= Rounds; round++)
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref started) != round)
                    spin.SpinOnce(sleep1Threshold: -1);
                current!.Close(aborted);
                Interlocked.Increment(ref closed);
            }
        })).ToList();
        closers.ForEach(t => t.Start());
        for (var round = 1; round <= Rounds; round++)
        {
            var fd = LinuxNet.Socket(LinuxNet.AF_INET, LinuxNet.SOCK_STREAM | LinuxNet.SOCK_CLOEXEC, 0);
            Assert.True(fd >= 0);
            current = new EpollConnection(fd, loop, null, null);
            Volatile.Write(ref started, round);
            // Opened while the two threads close: it may take the number the first close freed.
            sentinels.Add(SafeHandleProbe.Open());
            var spin = new SpinWait();
            while (Volatile.Read(ref closed) != 2 * round)
                spin.SpinOnce(sleep1Threshold: -1);
        }
        closers.ForEach(t => t.Join());
        loop.Stop();
        await loop.Exited;

        Assert.Equal(Rounds, metrics.ConnectionsClosed(EpollCloseReason.Aborted));
        Assert.All(sentinels, s => Assert.True(s.StillOpen(), "a descriptor opened meanwhile was closed under its owner"));
        sentinels.ForEach(s => s.Dispose());
    }

    /// <summary>A descriptor on /dev/null that can tell whether it is still open.</summary>
    private sealed class SafeHandleProbe(Microsoft.Win32.SafeHandles.SafeFileHandle handle) : IDisposable
    {
        public static SafeHandleProbe Open() => new(File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Write));

        public bool StillOpen()
        {
            try
            {
                RandomAccess.Write(handle, "x"u8, 0);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }

        public void Dispose() => handle.Dispose();
    }
}
