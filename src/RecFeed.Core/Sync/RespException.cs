namespace RecFeed.Sync;

/// <summary>Redis refused a command, answered something this client cannot read, or the link failed; the message is one line.</summary>
public sealed class RespException(string message, Exception? inner = null) : Exception(message, inner);
