using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace RecFeed.Http.FastPath;

/// <summary>
/// Decides, from the request line alone, whether <see cref="FeedApplication"/> answers a request itself:
/// routing costs a route-value dictionary and a string per request, and the host around it an HttpContext. It takes
/// only requests the <c>/feed/{userId}</c> route would take (GET, one non-empty segment after <c>/feed/</c>, literal
/// matched case-insensitively like routing does) and hands them to the same <see cref="FeedHandler"/>; everything
/// else goes on to routing, so the contract is the routed one by construction.
/// </summary>
public static class FeedFastPath
{
    private const string Prefix = "/feed/";

    public static bool Takes(IHttpRequestFeature request)
    {
        if (!HttpMethods.IsGet(request.Method))
            return false;
        var path = request.Path.AsSpan();
        if (!path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        var userId = path[Prefix.Length..];
        return !userId.IsEmpty && !userId.Contains('/');
    }

    /// <summary>The user id segment of a request <see cref="Takes"/> took.</summary>
    public static ReadOnlySpan<char> UserId(IHttpRequestFeature request) => request.Path.AsSpan(Prefix.Length);
}
