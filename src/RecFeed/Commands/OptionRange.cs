using System.CommandLine.Parsing;
using System.Globalization;

namespace RecFeed.Cli.Commands;

internal static class OptionRange
{
    /// <summary>
    /// The option's own token, parsed. Validators read it this way rather than through GetValueOrDefault, which
    /// throws on a token that is not a number (that is already System.CommandLine's own error), and a default that
    /// came from no token needs no check.
    /// </summary>
    public static bool TryParseToken<T>(OptionResult result, out T value) where T : IParsable<T>
    {
        value = default!;
        return result.Tokens is [var token] && T.TryParse(token.Value, CultureInfo.InvariantCulture, out value!);
    }

    public static void Check(OptionResult result, long min, long max)
    {
        if (TryParseToken<long>(result, out var value) && (value < min || value > max))
            result.AddError($"{result.Option.Name} must be between {min} and {max}; got {value}.");
    }
}
