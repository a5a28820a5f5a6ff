namespace RecFeed.Http.Metrics;

/// <summary>Which listener answers <c>GET /metrics</c> (<c>serve --metrics</c>).</summary>
public enum MetricsListener
{
    /// <summary>The public listener, where Prometheus finds it without an admin listener (the default).</summary>
    Public,

    /// <summary>The admin listener only (needs <c>--admin-urls</c>); the public listener answers 404.</summary>
    Admin,
}
