namespace RecFeed.Sync;

/// <summary>
/// Where the position sync finds Redis and how its keys begin, from <c>redis://HOST[:PORT][/KEYPREFIX]</c>
/// (port 6379 and prefix "recfeed" when left out). No user, password or database number: the sync talks to a Redis
/// on a private network, as docs/operations.md says.
/// </summary>
public sealed record RedisAddress(string Host, int Port, string KeyPrefix)
{
    public const int DefaultPort = 6379;
    public const string DefaultKeyPrefix = "recfeed";

    /// <summary>The address, or why <paramref name="text"/> is not one (one line).</summary>
    public static (RedisAddress? Value, string? Error) Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || uri.Host.Length == 0)
            return (null, $"'{text}' is not a redis://HOST:PORT/KEYPREFIX address.");
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            return (null, $"'{text}': only redis://HOST:PORT/KEYPREFIX is taken (no user, password, query or fragment).");
        var prefix = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (prefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'))
            return (null, $"'{text}': the key prefix may not hold spaces or braces.");
        return (new RedisAddress(uri.DnsSafeHost, uri.IsDefaultPort ? DefaultPort : uri.Port, prefix.Length > 0 ? prefix : DefaultKeyPrefix), null);
    }

    public override string ToString() => $"redis://{Host}:{Port}/{KeyPrefix}";
}
