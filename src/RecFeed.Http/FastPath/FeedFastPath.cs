using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using RecFeed.Http.Endpoints;

namespace RecFeed.Http.FastPath;

/// <summary>
/// Decides, from the request line alone, whether <see cref="FeedApplication"/> (and the epoll fast lane) answers a
/// request itself, and with which feed's <see cref="FeedHandler"/>: routing costs a route-value dictionary and a
/// string per request, and the host around it an HttpContext. It takes only requests the <c>/feed/{userId}</c> and
/// <c>/feed/{name}/{userId}</c> routes would take (GET, non-empty segments after <c>/feed/</c>, literal matched
/// case-insensitively like routing does) and hands them to the same handlers; everything else goes on to routing,
/// so the contract is the routed one by construction. A name is looked up by an ordinal compare against the few
/// served (length first): no hashing, no string per request. A name not served is answered 404 here, as routed.
/// </summary>
public sealed class FeedFastPath
{
    private const string Prefix = "/feed/";

    /// <summary>"feed" read as a little-endian 32-bit integer.</summary>
    private const uint FeedLower = 'f' | 'e' << 8 | 'e' << 16 | (uint)'d' << 24;

    private static ReadOnlySpan<byte> UnknownFeedBody => "unknown feed: this server serves no feed of that name\n"u8;

    private readonly FeedHandler _default;
    private readonly string[] _names;
    private readonly byte[][] _nameBytes;
    private readonly FeedHandler[] _feeds;

    /// <param name="defaultFeed">--data's feed, at <c>/feed/{userId}</c>.</param>
    /// <param name="named">The named feeds, at <c>/feed/{name}/{userId}</c>.</param>
    public FeedFastPath(FeedHandler defaultFeed, IReadOnlyList<(string Name, FeedHandler Feed)> named)
    {
        _default = defaultFeed;
        _names = [.. named.Select(n => n.Name)];
        _nameBytes = [.. _names.Select(Encoding.ASCII.GetBytes)];
        _feeds = [.. named.Select(n => n.Feed)];
    }

    /// <summary>
    /// The path test, for a GET: true when the fast path answers it, with the feed (null for a name not served,
    /// answered by <see cref="UnknownFeed"/>) and where the user id segment starts in the path. Kestrel's decoded
    /// path is <c>char</c>, the fast lane's raw target <c>byte</c> (it holds no escapes: the lane takes none).
    /// </summary>
    public bool TryRoute<TChar>(ReadOnlySpan<TChar> path, out FeedHandler? feed, out int userIdStart)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        feed = null;
        userIdStart = Prefix.Length;
        if (!StartsWithPrefix(path))
            return false;
        var rest = path[Prefix.Length..];
        var slash = rest.IndexOf(TChar.CreateTruncating('/'));
        if (slash < 0)
        {
            feed = _default;
            return !rest.IsEmpty;
        }
        var userId = rest[(slash + 1)..];
        if (slash == 0 || userId.IsEmpty || userId.Contains(TChar.CreateTruncating('/')))
            return false;
        feed = Find(rest[..slash]);
        userIdStart += slash + 1;
        return true;
    }

    /// <summary>
    /// The literal, matched case-insensitively like routing does; a type test the compiler folds per
    /// <typeparamref name="TChar"/>. In bytes, the four letters ORed with 0x20 are "feed" exactly when they are "feed"
    /// in any case (only a letter's two cases meet under the OR): one compare for the lane's every request.
    /// </summary>
    private static bool StartsWithPrefix<TChar>(ReadOnlySpan<TChar> path) where TChar : unmanaged, IBinaryInteger<TChar>
    {
        if (path.Length < Prefix.Length)
            return false;
        if (typeof(TChar) != typeof(byte))
            return MemoryMarshal.Cast<TChar, char>(path)[..Prefix.Length].Equals(Prefix, StringComparison.OrdinalIgnoreCase);
        var bytes = MemoryMarshal.Cast<TChar, byte>(path);
        return bytes[0] == '/' && bytes[5] == '/' && (BinaryPrimitives.ReadUInt32LittleEndian(bytes[1..]) | 0x2020_2020) == FeedLower;
    }

    private FeedHandler? Find<TChar>(ReadOnlySpan<TChar> name) where TChar : unmanaged, IBinaryInteger<TChar>
    {
        for (var i = 0; i < _names.Length; i++)
            if (typeof(TChar) == typeof(byte)
                ? MemoryMarshal.Cast<TChar, byte>(name).SequenceEqual(_nameBytes[i])
                : MemoryMarshal.Cast<TChar, char>(name).SequenceEqual(_names[i]))
                return _feeds[i];
        return null;
    }

    /// <summary><c>/feed/{name}/{userId}</c> as routing passes it on (a trailing slash, say): the same handlers.</summary>
    public Task Routed(IFeatureCollection context, string name, string userId) =>
        Find(name.AsSpan()) is { } feed ? feed.Feed(context, userId) : UnknownFeed(context);

    /// <summary>404 for a name not served: one line, not counted as any feed's request (it is none of theirs).</summary>
    public static Task UnknownFeed(IFeatureCollection context)
    {
        FeatureResponse.WriteText(context, StatusCodes.Status404NotFound, UnknownFeedBody);
        return Task.CompletedTask;
    }
}
