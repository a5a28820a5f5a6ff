using RecFeed.State;

namespace RecFeed.Http.Lifecycle;

/// <summary>What one <see cref="ServeLifecycle"/> serves and how; the CLI maps its flags onto this, tests build it directly.</summary>
public sealed record ServeOptions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>The feeds file; a reload reads whatever is at this path then.</summary>
    public required string Data { get; init; }

    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>Where <c>POST /admin/reload</c> listens; empty (the default) for no admin listener. SIGHUP reloads either way.</summary>
    public IReadOnlyList<string> AdminUrls { get; init; } = [];

    /// <summary>The progress snapshot file; null for the data path + ".state".</summary>
    public string? State { get; init; }

    public string StatePath => State ?? StateFile.DefaultPath(Data);

    public TimeSpan SnapshotInterval { get; init; } = TimeSpan.FromSeconds(5);

    public LogFormat LogFormat { get; init; } = LogFormat.Text;
}
