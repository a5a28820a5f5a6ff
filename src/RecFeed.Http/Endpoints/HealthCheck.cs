using System.Text;
using Microsoft.AspNetCore.Http;
using RecFeed.Feed;
using RecFeed.Sharding;

namespace RecFeed.Http.Endpoints;

/// <summary>
/// <c>GET /healthz</c>: "ok shard k/n" of the generation being served now, so a router's check follows what this
/// process really answers for, or 503 "draining" once a stop has begun, so the router takes it out of rotation
/// while it still serves. Checks come about once a second per router: the body is cached per shard, not per call.
/// </summary>
public sealed class HealthCheck(FeedService service)
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
            _answer = answer = new Answer(serving.Shard);
        FeatureResponse.WriteText(context.Features, StatusCodes.Status200OK, answer.Body);
        return Task.CompletedTask;
    }

    private sealed class Answer(ShardSpec shard)
    {
        public ShardSpec Shard { get; } = shard;
        public byte[] Body { get; } = Encoding.ASCII.GetBytes($"ok shard {shard}\n");
    }
}
