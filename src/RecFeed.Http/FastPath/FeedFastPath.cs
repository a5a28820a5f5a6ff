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

    public static bool Takes(IHttpRequestFeature request) => HttpMethods.IsGet(request.Method) && TakesPath(request.Path);

    /// <summary>The path test alone, for a GET: what the fast lane asks of the path it parsed itself.</summary>
    public static bool TakesPath(ReadOnlySpan<char> path)
    {
        if (!path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        var userId = path[Prefix.Length..];
        return !userId.IsEmpty && !userId.Contains('/');
    }

    /// <summary>The user id segment of a request <see cref="Takes"/> took.</summary>
    public static ReadOnlySpan<char> UserId(IHttpRequestFeature request) => UserId(request.Path);

    /// <summary>The user id segment of a path <see cref="TakesPath"/> took.</summary>
    public static ReadOnlySpan<char> UserId(ReadOnlySpan<char> path) => path[Prefix.Length..];
}
