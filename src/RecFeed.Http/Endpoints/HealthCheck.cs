using System.Text;
using Microsoft.AspNetCore.Http;
using RecFeed.Feed;
using RecFeed.Sharding;

namespace RecFeed.Http.Endpoints;

/// <summary>
/// <c>GET /healthz</c>: "ok shard k/n" of the generation being served now, so a router's check follows what this
/// process really answers for, or 503 "draining" once a stop has begun, so the router takes it out of rotation
/// while it still serves. Checks come about once a second per router: the body is cached per shard, not per call.
/// With named feeds the line goes on with " feeds default NAME..." (every feed loaded: a serve starts only once all
/// are); the first words stay "ok shard k/n", what routers match (<c>^ok shard k/n( |$)</c>).
/// </summary>
/// <param name="service">--data's service, whose shard every feed holds.</param>
/// <param name="feeds">Every feed's name when named feeds are served; empty otherwise.</param>
public sealed class HealthCheck(FeedService service, IReadOnlyList<string> feeds)
{
    private static ReadOnlySpan<byte> DrainingBody => "draining\n"u8;

    private volatile Answer? _answer;
    private volatile bool _draining;

    /// <summary>Once set, every check fails; a stop never turns back.</summary>
    public void StartDraining() => _draining = true;

    public Task Write(HttpContext context)
    {
        if (_draining)
        {
            FeatureResponse.WriteText(context.Features, StatusCodes.Status503ServiceUnavailable, DrainingBody);
            return Task.CompletedTask;
        }
        var serving = service.Current;
        var answer = _answer;
        if (answer is null || answer.Shard != serving.Shard)
            _answer = answer = new Answer(serving.Shard, feeds.Count > 0 ? " feeds " + string.Join(' ', feeds) : "");
        FeatureResponse.WriteText(context.Features, StatusCodes.Status200OK, answer.Body);
        return Task.CompletedTask;
    }

    private sealed class Answer(ShardSpec shard, string feeds)
    {
        public ShardSpec Shard { get; } = shard;
        public byte[] Body { get; } = Encoding.ASCII.GetBytes($"ok shard {shard}{feeds}\n");
    }
}
