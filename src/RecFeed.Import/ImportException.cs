namespace RecFeed.Import;

/// <summary>The input cannot be imported; the message is one line naming the file and, where known, row and column.</summary>
public sealed class ImportException(string message) : Exception(message);
