using System.Globalization;

namespace RecFeed.Cli.Routing;

/// <summary>One <c>recfeed serve</c> process behind the router: the shard its file holds and where it listens.</summary>
internal readonly record struct ShardBackend(uint Shard, HostPort Address)
{
    /// <summary>
    /// Parses the <c>--backend</c> values: all <c>K=host:port</c> (explicit shard), or all <c>host:port</c>, where the
    /// i-th goes to shard <c>i mod shardCount</c> (list every shard's first replica, then every shard's second, ...).
    /// Every shard must get at least one backend. Returns null and a one-line reason otherwise.
    /// </summary>
    public static IReadOnlyList<ShardBackend>? TryParseAll(IReadOnlyList<string> values, uint shardCount, out string error)
    {
        error = "";
        var explicitShards = values.Count(v => v.Contains('='));
        if (explicitShards != 0 && explicitShards != values.Count)
        {
            error = "--backend values must either all name their shard (K=host:port) or none (host:port, assigned in turn)";
            return null;
        }
        var backends = new List<ShardBackend>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            var text = values[i];
            var shard = (uint)(i % shardCount);
            var equals = text.IndexOf('=');
            if (equals >= 0)
            {
                if (!uint.TryParse(text.AsSpan(0, equals), NumberStyles.None, CultureInfo.InvariantCulture, out shard) || shard >= shardCount)
                {
                    error = $"--backend '{text}': the shard before '=' must be 0..{shardCount - 1}";
                    return null;
                }
                text = text[(equals + 1)..];
            }
            if (!HostPort.TryParse(text, out var address))
            {
                error = $"--backend '{values[i]}': expected host:port (port 1..65535, IPv6 in brackets)";
                return null;
            }
            backends.Add(new ShardBackend(shard, address));
        }
        var missing = Enumerable.Range(0, (int)shardCount).FirstOrDefault(k => !backends.Any(b => b.Shard == k), -1);
        if (missing >= 0)
        {
            error = $"shard {missing} of {shardCount} has no --backend; every shard needs at least one";
            return null;
        }
        return backends;
    }
}
