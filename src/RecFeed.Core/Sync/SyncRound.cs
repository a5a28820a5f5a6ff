namespace RecFeed.Sync;

/// <summary>What one <see cref="PositionSync.RoundAsync"/> did.</summary>
/// <param name="UsersSent">Users whose positions were sent to Redis.</param>
/// <param name="UsersTakenIn">Users moved forward to a position a peer had.</param>
/// <param name="Reconciled">Whether the round compared every position with Redis (after a connect or a new dataset).</param>
/// <param name="BytesSent">Bytes written to Redis in the round, RESP framing included.</param>
public readonly record struct SyncRound(long UsersSent, long UsersTakenIn, bool Reconciled, long BytesSent);
