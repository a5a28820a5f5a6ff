namespace RecFeed.Feed;

/// <summary>The outcome of one reload, with a one-line <see cref="Message"/> for the log and the admin response.</summary>
public readonly record struct ReloadResult(ReloadOutcome Outcome, string Message)
{
    /// <summary>True when the file at the data path is what is served now, whether reloaded or already served.</summary>
    public bool Succeeded => Outcome is ReloadOutcome.Accepted or ReloadOutcome.Skipped;
}
