namespace RecFeed.State;

/// <summary>The state file is locked by another process, or its lock cannot be taken; the message is one line for the operator.</summary>
public sealed class StateLockException(string message) : IOException(message);
