using System.Text;

namespace RecFeed.Sync;

/// <summary>
/// One RESP2 reply: a simple string or an error (<see cref="Text"/>), an integer, a bulk string (<see cref="Bulk"/>,
/// null for RESP's null bulk) or an array (<see cref="Items"/>, null for the null array). Built by
/// <see cref="RespConnection.ReadAsync"/>; the sync reads few of them a round, so they are plain objects.
/// </summary>
public sealed class RespReply
{
    private RespReply(char kind) => Kind = kind;

    /// <summary>RESP's type byte: '+', '-', ':', '$' or '*'.</summary>
    public char Kind { get; }
    public string? Text { get; private init; }
    public long Integer { get; private init; }
    public byte[]? Bulk { get; private init; }
    public RespReply[]? Items { get; private init; }

    public bool IsError => Kind == '-';

    /// <summary>A null bulk string or null array: "no such key", "nothing new".</summary>
    public bool IsNull => Kind switch { '$' => Bulk is null, '*' => Items is null, _ => false };

    public static RespReply Simple(string text) => new('+') { Text = text };
    public static RespReply Error(string text) => new('-') { Text = text };
    public static RespReply Number(long value) => new(':') { Integer = value };
    public static RespReply BulkString(byte[]? value) => new('$') { Bulk = value };
    public static RespReply Array(RespReply[]? items) => new('*') { Items = items };

    /// <summary>The reply as text: a simple string, an error or a bulk string read as UTF-8.</summary>
    public string AsText() => Text ?? (Bulk is { } b ? Encoding.UTF8.GetString(b) : "");

    /// <summary>Item <paramref name="index"/> of an array reply; anything else is a <see cref="RespException"/>.</summary>
    public RespReply Item(int index) =>
        Items is { } items && index < items.Length ? items[index] : throw new RespException($"expected an array of more than {index} items from redis");

    /// <summary>The items of an array reply (empty for the null array); anything else is a <see cref="RespException"/>.</summary>
    public RespReply[] List() => Kind == '*' ? Items ?? [] : throw new RespException($"expected an array from redis, got '{Kind}'");

    /// <summary>This reply, or a <see cref="RespException"/> carrying Redis's one-line error.</summary>
    public RespReply ThrowIfError() => IsError ? throw new RespException($"redis answered: {Text}") : this;
}
