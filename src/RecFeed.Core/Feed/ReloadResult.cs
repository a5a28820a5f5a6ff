namespace RecFeed.Feed;

/// <summary>The outcome of one reload, with a one-line <see cref="Message"/> for the log and the admin response.</summary>
public readonly record struct ReloadResult(bool Accepted, string Message);
