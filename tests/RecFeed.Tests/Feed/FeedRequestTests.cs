using System.Text;
using RecFeed.Feed;

namespace RecFeed.Tests.Feed;

public sealed class FeedRequestTests
{
    [Theory]
    [InlineData("0", 0u)]
    [InlineData("42", 42u)]
    [InlineData("0000000007", 7u)]
    [InlineData("4294967295", 4294967295u)]
    public void Accepts_decimal_user_ids(string text, uint expected)
    {
        Assert.True(FeedRequest.TryParseUserId(text.AsSpan(), out var id));
        Assert.Equal(expected, id);
        Assert.True(FeedRequest.TryParseUserId<byte>(Encoding.UTF8.GetBytes(text), out var fromBytes));
        Assert.Equal(expected, fromBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("0x10")]
    [InlineData("1.5")]
    [InlineData("4294967296")]
    [InlineData("99999999999")]
    [InlineData("00000000001")]
    [InlineData("١٢")]
    public void Rejects_anything_else(string text)
    {
        Assert.False(FeedRequest.TryParseUserId(text.AsSpan(), out _));
        Assert.False(FeedRequest.TryParseUserId<byte>(Encoding.UTF8.GetBytes(text), out _));
    }

    [Theory]
    [InlineData("", 10)]
    [InlineData("?", 10)]
    [InlineData("?size=1", 1)]
    [InlineData("?size=200", 200)]
    [InlineData("?a=b&size=7&c", 7)]
    [InlineData("?sizes=3", 10)]
    [InlineData("?other=1", 10)]
    public void Reads_size_or_defaults(string query, int expected)
    {
        Assert.True(FeedRequest.TryParseSize(query.AsSpan(), 200, 10, out var size));
        Assert.Equal(expected, size);
        Assert.True(FeedRequest.TryParseSize<byte>(Encoding.UTF8.GetBytes(query), 200, 10, out var fromBytes));
        Assert.Equal(expected, fromBytes);
    }

    [Theory]
    [InlineData("?size=0")]
    [InlineData("?size=201")]
    [InlineData("?size=")]
    [InlineData("?size")]
    [InlineData("?size=-1")]
    [InlineData("?size=+5")]
    [InlineData("?size=abc")]
    [InlineData("?size=1.5")]
    [InlineData("?size=5&size=6")]
    [InlineData("?size=99999999999999999999")]
    public void Rejects_bad_sizes(string query)
    {
        Assert.False(FeedRequest.TryParseSize(query.AsSpan(), 200, 10, out _));
        Assert.False(FeedRequest.TryParseSize<byte>(Encoding.UTF8.GetBytes(query), 200, 10, out _));
    }
}
