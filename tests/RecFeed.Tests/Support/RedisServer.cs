using System.Diagnostics;
using RecFeed.Sync;

namespace RecFeed.Tests.Support;

/// <summary>
/// A real redis-server (Debian's redis-server, 7.0) on a loopback port from <see cref="FreePort"/>, with no
/// persistence, so a restart starts empty as a crashed Redis without a replica would. <see cref="Stop"/> kills it,
/// <see cref="Start"/> starts it again on the same port.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly string _executable = SystemTool.Find("redis-server", "redis-server");
    private Process? _process;

    public RedisServer(string keyPrefix = "test")
    {
        Port = FreePort.Next();
        Address = new RedisAddress("127.0.0.1", Port, keyPrefix);
        Start();
    }

    public int Port { get; }
    public RedisAddress Address { get; }

    public void Start()
    {
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no"])
            start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var connection = ConnectAsync().GetAwaiter().GetResult();
                connection.Command("PING");
                connection.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
                if (connection.ReadAsync(CancellationToken.None).GetAwaiter().GetResult().Text == "PONG")
                    return;
            }
            catch (RespException)
            {
                if (_process.HasExited)
                    throw new InvalidOperationException($"redis-server on port {Port} exited with {_process.ExitCode}");
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within 10 s");
    }

    /// <summary>Kills it (SIGKILL): what it held is gone, as after a crash.</summary>
    public void Stop()
    {
        if (_process is not { } p)
            return;
        _process = null;
        p.Kill();
        p.WaitForExit();
        p.Dispose();
    }

    public Task<RespConnection> ConnectAsync() => RespConnection.ConnectAsync(Address, CancellationToken.None);

    /// <summary>One command on a connection of its own, its reply.</summary>
    public async Task<RespReply> CallAsync(params string[] args)
    {
        using var connection = await ConnectAsync();
        connection.Command(args);
        await connection.FlushAsync(CancellationToken.None);
        return await connection.ReadAsync(CancellationToken.None);
    }

    public void Dispose() => Stop();
}
