using Microsoft.AspNetCore.Http;

namespace RecFeed.Http;

/// <summary>
/// Answers <c>GET /feed/{userId}</c> ahead of endpoint routing, matching the path by hand: routing costs a
/// route-value dictionary and a string per request. It takes only requests the <c>/feed/{userId}</c> route would
/// take (GET, one non-empty segment after <c>/feed/</c>, literal matched case-insensitively like routing does) and
/// hands them to the same <see cref="FeedHandler"/>; everything else goes on to routing, so the contract is the
/// routed one by construction.
/// </summary>
public static class FeedFastPath
{
    private const string Prefix = "/feed/";

    /// <summary>The response task if the request was served here, null to pass it on.</summary>
    public static Task? TryServe(HttpContext context, FeedHandler feed)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method))
            return null;
        var path = request.Path.Value.AsSpan();
        if (!path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return null;
        var userId = path[Prefix.Length..];
        if (userId.IsEmpty || userId.Contains('/'))
            return null;
        return feed.Feed(context, userId);
    }
}
