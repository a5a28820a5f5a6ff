using System.Net.Sockets;
using RecFeed.Feed;

namespace RecFeed.Sync;

/// <summary>
/// Shares the read positions of one shard's replicas through Redis, one round at a time, off the request path. A
/// round sends the users whose "unsent" bit a request set (<see cref="Positions.PositionTable.TakeUnsent"/>) to the
/// shard's keys (<see cref="PositionKeys"/>) in batches, merged there by <see cref="MergeScript"/> (furthest wins, per
/// user), then takes in the log entries the peers' merges appended since its cursor, each applied as a
/// compare-and-swap max (<see cref="Positions.PositionTable.AdvanceTo"/>). So the bytes sent follow the users who
/// moved, not the user count, and the result is the same whichever replica syncs first. After each connect (Redis
/// may have restarted empty), after a new dataset, and when the log was trimmed past the cursor, a round first
/// reconciles: it reads every stored position, takes in those ahead of its own and marks unsent those behind.
/// Positions are read and written under the service's swap lock (<see cref="FeedService.WithStableGeneration"/>),
/// which requests never take; network calls run outside it, and what comes back is applied only if the generation
/// still has the keys it was asked for. One loop owns an instance; any failure drops the connection and the next
/// round starts over with a connect.
/// </summary>
public sealed partial class PositionSync(FeedService service, RedisAddress address, SyncStatistics statistics) : IDisposable
{
    /// <summary>Users a merge call carries (6 KiB); see <see cref="MergeScript"/> for the bound.</summary>
    public const int BatchUsers = 1024;

    private readonly string _replica = Guid.NewGuid().ToString("n");
    private RespConnection? _connection;
    private string _mergeSha = "";
    private long _accountedSent, _accountedReceived;

    public RedisAddress Address => address;

    /// <summary>
    /// One round: connect if need be, reconcile if need be, send, take in. Throws <see cref="RespException"/> (one
    /// line) when Redis cannot be reached, refuses, or says nothing within <paramref name="timeout"/>; what was not
    /// sent stays marked for the next round. Throws <see cref="OperationCanceledException"/> when <paramref name="stop"/> fires.
    /// </summary>
    public async Task<SyncRound> RoundAsync(TimeSpan timeout, CancellationToken stop)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(timeout);
        var sentBefore = statistics.BytesSent;
        try
        {
            var connection = _connection ??= await ConnectAsync(deadline.Token);
            var keys = service.WithStableGeneration(g => PositionKeys.For(address, g.Header));
            long takenIn = 0;
            var reconciled = keys != _reconciled;
            if (reconciled)
                takenIn += await ReconcileAsync(connection, keys, deadline.Token);
            var sent = await PushAsync(connection, keys, deadline.Token);
            takenIn += await PullAsync(connection, keys, deadline.Token);
            Account();
            statistics.Sent(sent);
            statistics.TookIn(takenIn);
            statistics.Succeeded();
            return new SyncRound(sent, takenIn, reconciled, statistics.BytesSent - sentBefore);
        }
        catch (Exception e) when (e is RespException or SocketException or IOException or OperationCanceledException)
        {
            Drop();
            statistics.Failed();
            if (stop.IsCancellationRequested)
                throw new OperationCanceledException(stop);
            throw e switch
            {
                RespException r => r,
                OperationCanceledException => new RespException($"no answer from {address} within {timeout.TotalSeconds:0.###} s", e),
                _ => new RespException($"{address}: {e.Message}", e),
            };
        }
    }

    private async Task<RespConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = await RespConnection.ConnectAsync(address, cancellationToken);
        try
        {
            connection.Command("SCRIPT", "LOAD", MergeScript.Text);
            _mergeSha = (await CallAsync(connection, cancellationToken)).AsText();
            (_accountedSent, _accountedReceived) = (0, 0);
            return connection;
        }
        catch
        {
            statistics.Transferred(connection.BytesSent, connection.BytesReceived);
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Sends what was written and reads its one reply, a Redis error thrown.</summary>
    private static async Task<RespReply> CallAsync(RespConnection connection, CancellationToken cancellationToken)
    {
        await connection.FlushAsync(cancellationToken);
        return (await connection.ReadAsync(cancellationToken)).ThrowIfError();
    }

    /// <summary>Adds the connection's bytes since the last call to the statistics.</summary>
    private void Account()
    {
        if (_connection is not { } c)
            return;
        statistics.Transferred(c.BytesSent - _accountedSent, c.BytesReceived - _accountedReceived);
        (_accountedSent, _accountedReceived) = (c.BytesSent, c.BytesReceived);
    }

    /// <summary>Closes the connection; the next round connects again and reconciles, as Redis may have lost its data meanwhile.</summary>
    private void Drop()
    {
        Account();
        _connection?.Dispose();
        _connection = null;
        _reconciled = null;
    }

    public void Dispose() => Drop();
}
