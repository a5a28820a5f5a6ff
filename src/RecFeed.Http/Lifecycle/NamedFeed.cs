using RecFeed.State;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// A feed served beside <c>--data</c> under a name of its own (<c>--feed video=video.bin</c>), at
/// <c>GET /feed/{name}/{userId}</c>. A name is a lowercase letter, then lowercase letters, digits, '_' or '-', at most
/// <see cref="MaxNameLength"/> characters: it never looks like a user id (digits), so <c>/feed/{userId}</c> and
/// <c>/feed/{name}/{userId}</c> cannot be confused, and it is safe as a metric label and in a log line as it is.
/// </summary>
/// <param name="State">The feed's state file of read positions; null for its data path + ".state".</param>
public sealed record NamedFeed(string Name, string Data, string? State = null)
{
    public const int MaxNameLength = 32;

    /// <summary>The label of <c>--data</c>'s feed in metrics, /healthz and logs; no named feed may take it.</summary>
    public const string DefaultName = "default";

    public string StatePath => State ?? StateFile.DefaultPath(Data);

    /// <summary>Why <paramref name="name"/> cannot name a feed, or null when it can.</summary>
    public static string? NameError(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
            return $"feed name '{name}' must be 1 to {MaxNameLength} characters";
        if (name[0] is < 'a' or > 'z')
            return $"feed name '{name}' must start with a lowercase letter";
        foreach (var c in name)
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
                return $"feed name '{name}' may hold only a-z, 0-9, '_' and '-'";
        return name == DefaultName ? $"feed name '{DefaultName}' is --data's own" : null;
    }

    /// <summary><c>NAME=PATH</c> as <c>--feed</c> takes it, or why it is not one.</summary>
    public static (NamedFeed? Feed, string? Error) Parse(string spec)
    {
        var equals = spec.IndexOf('=');
        if (equals < 0 || equals == spec.Length - 1)
            return (null, $"'{spec}' is not NAME=PATH");
        var name = spec[..equals];
        return NameError(name) is { } error ? (null, error) : (new NamedFeed(name, Path.GetFullPath(spec[(equals + 1)..])), null);
    }

    /// <summary>Why this list of feeds cannot be served together (a bad or repeated name), or null.</summary>
    public static string? ListError(IEnumerable<NamedFeed> feeds)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feed in feeds)
        {
            if (NameError(feed.Name) is { } error)
                return error;
            if (!seen.Add(feed.Name))
                return $"feed name '{feed.Name}' is given twice";
        }
        return null;
    }
}
