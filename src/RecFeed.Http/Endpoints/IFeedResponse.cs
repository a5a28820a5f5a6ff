namespace RecFeed.Http.Endpoints;

/// <summary>
/// Where <see cref="FeedHandler"/> writes an answer: Kestrel's response features (<see cref="FeatureResponse"/>), or
/// the raw bytes the epoll transport's fast lane sends (<see cref="FastPath.LaneResponse"/>). A struct type argument,
/// so each is compiled in without an interface call.
/// </summary>
public interface IFeedResponse
{
    /// <summary>Whether an answer with a body of up to <paramref name="maxBodyLength"/> bytes fits; asked before any effect.</summary>
    bool Fits(int maxBodyLength);

    /// <summary>200, <c>application/json</c>, the items as <see cref="Feed.FeedBody"/>.</summary>
    void Feed(scoped ReadOnlySpan<uint> items);

    /// <summary>A status with a <c>text/plain; charset=utf-8</c> body.</summary>
    void Text(int status, scoped ReadOnlySpan<byte> body);
}
