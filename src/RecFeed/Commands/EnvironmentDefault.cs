using System.CommandLine;

namespace RecFeed.Cli.Commands;

/// <summary>
/// Lets an option come from the environment as <c>RECFEED_&lt;OPTION&gt;</c> (<c>--snapshot-interval</c>:
/// <c>RECFEED_SNAPSHOT_INTERVAL</c>), the way systemd's EnvironmentFile and containers pass settings. A flag on the
/// command line beats the variable, the variable beats the built-in default, and a bad value is a one-line usage
/// error naming the variable, as a bad flag names the flag. <c>--help</c> shows the variable beside the option.
/// </summary>
internal static class EnvironmentDefault
{
    private const string Prefix = "RECFEED_";

    private static string VariableOf(Option option) => Prefix + option.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <param name="fallback">The value when the variable is unset or empty.</param>
    /// <param name="parse">The variable's text to a value, or why it is not one (the variable's name is added).</param>
    /// <param name="required">Whether the flag or the variable must be given; the error then names both.</param>
    /// <param name="variable">The variable's name when it is not the option's (a repeatable <c>--feed</c> is <c>RECFEED_FEEDS</c>).</param>
    public static Option<T> FromEnvironment<T>(this Option<T> option, T fallback, Func<string, (T Value, string? Error)> parse, bool required = false,
        string? variable = null)
    {
        variable ??= VariableOf(option);
        option.Description += $" [env: {variable}]";
        // System.CommandLine asks for the default only when the flag is absent: that is what makes the flag win.
        option.DefaultValueFactory = r =>
        {
            var text = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(text))
            {
                if (required)
                    r.AddError($"Option '{option.Name}' is required (or set {variable}).");
                return fallback;
            }
            var (value, error) = parse(text);
            if (error is null)
                return value;
            r.AddError($"{variable}: {error}");
            return fallback;
        };
        return option;
    }
}
