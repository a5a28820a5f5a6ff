namespace RecFeed.State;

/// <summary>What start-up found in the state file.</summary>
/// <param name="Reason">Why it was not used (Mismatch, Corrupt); when Restored, what was dropped from the journal's end, if anything.</param>
/// <param name="MovedTo">Where a corrupt file was put aside.</param>
/// <param name="Records">Journal records applied after the base.</param>
public readonly record struct StateRestore(RestoreOutcome Outcome, ulong UsersPastStart, DateTimeOffset? WrittenAt = null,
    string? Reason = null, string? MovedTo = null, int Records = 0);
