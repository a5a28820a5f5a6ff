using RecFeed.Http.Hosting;

namespace RecFeed.Tests.Support;

/// <summary>
/// The transport this run of the suite serves on: <c>RECFEED_TRANSPORT</c>, the variable the published binary reads
/// itself, so the in-process servers and every binary a test starts use the same one. <c>./build.sh test</c> runs
/// the suite once per transport; unset, it is serve's default.
/// </summary>
public static class TestTransport
{
    public static ServerTransport Current { get; } = Enum.TryParse<ServerTransport>(
        Environment.GetEnvironmentVariable("RECFEED_TRANSPORT"), ignoreCase: true, out var chosen) ? chosen : TransportSettings.DefaultKind;

    /// <summary>
    /// Whether this run serves with the epoll transport's fast lane: <c>RECFEED_FAST_LANE</c> (on/off), which the
    /// published binary reads too; unset, serve's default.
    /// </summary>
    public static bool FastLane { get; } = Environment.GetEnvironmentVariable("RECFEED_FAST_LANE") is { Length: > 0 } lane
        ? lane.Equals("on", StringComparison.OrdinalIgnoreCase)
        : TransportSettings.DefaultFastLane;

    /// <summary>The settings an in-process server of this run uses.</summary>
    public static TransportSettings Settings { get; } = new() { Kind = Current, FastLane = FastLane };

    public static string Name => Current.ToString().ToLowerInvariant();
}
