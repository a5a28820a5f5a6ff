using System.Globalization;

namespace RecFeed.Cli.Routing;

/// <summary>A <c>host:port</c> as HAProxy's <c>bind</c> and <c>server</c> lines take it (IPv6 hosts in brackets).</summary>
internal readonly record struct HostPort(string Host, int Port)
{
    /// <summary>
    /// Accepts names, IPv4 and bracketed IPv6 hosts and ports 1..65535. Anything else is refused rather than passed on,
    /// because the text lands verbatim in a config file where a space or quote would change its meaning.
    /// </summary>
    public static bool TryParse(string text, out HostPort value)
    {
        value = default;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return false;
        var host = text[..colon];
        var valid = host.StartsWith('[') && host.EndsWith(']')
            ? host.Length > 2 && host[1..^1].All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            : host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
        if (!valid)
            return false;
        value = new HostPort(host, port);
        return true;
    }

    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
