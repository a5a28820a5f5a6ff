namespace RecFeed.Format;

/// <summary>A feeds file that cannot be used. The message is one line meant for an operator, without the path.</summary>
public sealed class FeedFileException(string message) : Exception(message);
