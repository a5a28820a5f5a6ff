namespace RecFeed.Transport.Epoll;

/// <summary>What an <see cref="IRequestLane"/> did with the start of a connection's unanswered input.</summary>
public enum LaneResult
{
    /// <summary>One request answered: its bytes consumed, its whole response written.</summary>
    Answered,

    /// <summary>The input is a prefix of a request the lane may take: wait for more bytes.</summary>
    NeedMore,

    /// <summary>The response would not fit the output space given: send what is written and ask again with more.</summary>
    OutputFull,

    /// <summary>Not a request the lane takes: Kestrel gets the connection, with this request and all after it.</summary>
    HandOff,
}
