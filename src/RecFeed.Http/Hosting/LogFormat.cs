namespace RecFeed.Http.Hosting;

/// <summary>How recfeed writes its log to stdout.</summary>
public enum LogFormat
{
    /// <summary>One line per event: UTC timestamp, level, category, message.</summary>
    Text,

    /// <summary>One JSON object per line (the framework's JSON console formatter), with the message's figures as fields.</summary>
    Json,
}
