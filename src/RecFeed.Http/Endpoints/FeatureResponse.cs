using Microsoft.AspNetCore.Http.Features;
using RecFeed.Feed;

namespace RecFeed.Http.Endpoints;

/// <summary>An answer written through Kestrel's response features: headers set, the body straight into its response buffer.</summary>
public readonly struct FeatureResponse(IFeatureCollection context) : IFeedResponse
{
    private static readonly string JsonContentType = "application/json";
    private static readonly string TextContentType = "text/plain; charset=utf-8";

    public bool Fits(int maxBodyLength) => true;

    public void Feed(scoped ReadOnlySpan<uint> items)
    {
        var length = FeedBody.Length(items);
        var headers = context.GetRequiredFeature<IHttpResponseFeature>().Headers;
        headers.ContentType = JsonContentType;
        headers.ContentLength = length;
        var writer = context.GetRequiredFeature<IHttpResponseBodyFeature>().Writer;
        FeedBody.Write(writer.GetSpan(length), items);
        writer.Advance(length);
    }

    public void Text(int status, scoped ReadOnlySpan<byte> body) => WriteText(context, status, body);

    /// <summary>A text answer on any request's features (/healthz too).</summary>
    public static void WriteText(IFeatureCollection context, int status, ReadOnlySpan<byte> body)
    {
        var response = context.GetRequiredFeature<IHttpResponseFeature>();
        response.StatusCode = status;
        response.Headers.ContentType = TextContentType;
        response.Headers.ContentLength = body.Length;
        var writer = context.GetRequiredFeature<IHttpResponseBodyFeature>().Writer;
        body.CopyTo(writer.GetSpan(body.Length));
        writer.Advance(body.Length);
    }
}
