namespace RecFeed.State;

/// <summary>What start-up found in the state file.</summary>
/// <param name="Reason">Why it was not used (Mismatch, Corrupt).</param>
/// <param name="MovedTo">Where a corrupt file was put aside.</param>
public readonly record struct StateRestore(RestoreOutcome Outcome, ulong UsersWithProgress, DateTimeOffset? WrittenAt = null,
    string? Reason = null, string? MovedTo = null);
