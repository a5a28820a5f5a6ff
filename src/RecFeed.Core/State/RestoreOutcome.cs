namespace RecFeed.State;

public enum RestoreOutcome
{
    /// <summary>No state file yet: a first start.</summary>
    Missing,
    /// <summary>Positions loaded.</summary>
    Restored,
    /// <summary>A sound snapshot of another dataset (or user count): ignored, replaced by the next snapshot.</summary>
    Mismatch,
    /// <summary>Unreadable or damaged: renamed aside, never deleted.</summary>
    Corrupt,
}
