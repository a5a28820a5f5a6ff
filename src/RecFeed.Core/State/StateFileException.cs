namespace RecFeed.State;

/// <summary>A state file that cannot be restored from. The message is one line meant for an operator, without the path.</summary>
public sealed class StateFileException(string message) : Exception(message);
