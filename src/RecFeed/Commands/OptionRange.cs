using System.CommandLine.Parsing;

namespace RecFeed.Cli.Commands;

internal static class OptionRange
{
    /// <summary>
    /// A range validator that reads the option's own token: a token that is not a number is already
    /// System.CommandLine's own error (converting it here would throw), and a default needs no check.
    /// </summary>
    public static void Check(OptionResult result, long min, long max)
    {
        if (result.Tokens is [var token] && long.TryParse(token.Value, out var value) && (value < min || value > max))
            result.AddError($"{result.Option.Name} must be between {min} and {max}; got {value}.");
    }
}
