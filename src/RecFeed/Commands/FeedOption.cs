using System.CommandLine;
using System.CommandLine.Parsing;
using RecFeed.Http.Lifecycle;

namespace RecFeed.Cli.Commands;

/// <summary>
/// <c>serve --feed NAME=PATH</c>, repeatable, or <c>RECFEED_FEEDS=NAME=PATH,NAME=PATH</c> (any flag replaces the
/// whole variable, as a flag beats the variable for every option). A bad spec, a bad name or a name twice is a
/// one-line usage error naming the flag or the variable; the rules are <see cref="NamedFeed"/>'s.
/// </summary>
internal static class FeedOption
{
    public static readonly Option<string[]> Feeds = new Option<string[]>("--feed")
    {
        Description = "Also serve a named feed, NAME=PATH, at GET /feed/NAME/{userId}; repeatable (the variable: NAME=PATH,NAME=PATH). " +
            "NAME: a lowercase letter, then a-z 0-9 _ -, at most 32 characters, not 'default' (--data's label). Each feed has its own " +
            "state file (PATH.state), reload and feed=\"NAME\" metrics, and must hold --data's shard (docs/operations.md).",
        HelpName = "NAME=PATH",
        Validators = { r => CheckFeeds(r, r.Tokens.Select(t => t.Value)) },
    }.FromEnvironment([], ParseFeedList, variable: "RECFEED_FEEDS");

    /// <summary>The feeds the parse named, from the flags or else the variable; valid once the parse had no error.</summary>
    public static IReadOnlyList<NamedFeed> NamedFeeds(ParseResult parse) => [.. parse.GetValue(Feeds)!.Select(spec => NamedFeed.Parse(spec).Feed!)];

    /// <summary>The flags' own tokens; the variable's value is checked where it is read.</summary>
    private static void CheckFeeds(OptionResult r, IEnumerable<string> specs)
    {
        if (FeedListError(specs) is { } error)
            r.AddError($"{r.Option.Name}: {error}");
    }

    /// <summary>Why NAME=PATH specs cannot be served together (a bad spec or name, a name twice), or null.</summary>
    private static string? FeedListError(IEnumerable<string> specs)
    {
        var feeds = new List<NamedFeed>();
        foreach (var spec in specs)
        {
            var (feed, error) = NamedFeed.Parse(spec);
            if (error != null)
                return error + ".";
            feeds.Add(feed!);
        }
        return NamedFeed.ListError(feeds) is { } listError ? listError + "." : null;
    }

    private static (string[] Value, string? Error) ParseFeedList(string text)
    {
        var specs = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return FeedListError(specs) is { } error ? ([], error) : (specs, null);
    }
}
