namespace RecFeed.Import;

/// <summary>
/// CSV (<c>user_id,item item item</c>) and TSV (<c>user_id&lt;TAB&gt;item,item,item</c>), read as bytes through a
/// fixed buffer, never slurped. The text after the first separator is the list: ids split on spaces, commas or tabs,
/// optionally wrapped in quotes and/or brackets as pandas and Spark write lists. A first line whose user field is
/// not a number is a header. Rows and columns in messages are 1-based line numbers and character positions, as an
/// editor shows them, so the header is row 1 when there is one.
/// </summary>
internal sealed class DelimitedRowReader : IRowReader
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// The longest line read: over a million ids, far past any list an import keeps (65,535 items per user), yet a
    /// file without line breaks (a JSON dump, a binary) stops here instead of growing the buffer to its whole size.
    /// </summary>
    internal const int MaxLineBytes = 16 << 20;
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private readonly string _path;
    private readonly byte _separator;
    private readonly FileStream _file;

    public DelimitedRowReader(string path, InputFormat format)
    {
        _path = path;
        _separator = format == InputFormat.Tsv ? (byte)'\t' : (byte)',';
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        Total = _file.Length;
    }

    public long Total { get; }
    public string Unit => "MiB";
    public long UnitSize => 1 << 20;

    public ValueTask ReadAsync(FeedBuilder builder, Action<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        int start = 0, end = 0;
        long line = 0, consumed = 0;
        var first = true;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                (end, start) = (end - start, 0);
            }
            else if (end == buffer.Length)
            {
                // One line longer than the buffer (a very long list): make room for it, up to a bound.
                if (buffer.Length >= MaxLineBytes)
                    throw new ImportException($"{_path}: row {line + 1} is longer than {MaxLineBytes:N0} bytes (a file without line breaks?)");
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxLineBytes));
            }
            var read = _file.Read(buffer, end, buffer.Length - end);
            end += read;
            var atEnd = read == 0;
            while (start < end)
            {
                var length = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (length < 0 && !atEnd)
                    break;
                if (length < 0)
                    length = end - start;
                var text = buffer.AsSpan(start, length);
                start += Math.Min(length + 1, end - start);
                line++;
                if (first && text.StartsWith(Bom))
                    text = text[Bom.Length..];
                ReadLine(builder, text.TrimEnd((byte)'\r'), line, ref first);
            }
            consumed += read;
            progress?.Invoke(consumed);
            if (atEnd)
                return ValueTask.CompletedTask;
        }
    }

    private void ReadLine(FeedBuilder builder, ReadOnlySpan<byte> text, long line, ref bool first)
    {
        if (text.Trim((byte)' ').IsEmpty)
            return;
        var separator = text.IndexOf(_separator);
        var userEnd = separator < 0 ? text.Length : separator;
        var (userFrom, userLength) = Unwrap(text[..userEnd], 0);
        var userText = text.Slice(userFrom, userLength);
        if (first)
        {
            first = false;
            if (!userText.IsEmpty && !char.IsAsciiDigit((char)userText[0]) && userText[0] is not (byte)'-' and not (byte)'+')
                return;
        }
        builder.Summary.Rows++;
        var userReason = IdText.Parse(userText, "user id", out var user) ?? builder.CheckUser(user);
        if (userReason is not null)
        {
            builder.Reject(Location(line, userFrom), userReason);
            return;
        }
        builder.BeginRow((ulong)user);
        if (separator >= 0)
        {
            var (from, length) = Unwrap(text[(separator + 1)..], separator + 1);
            var list = text.Slice(from, length);
            for (var at = 0; at < list.Length;)
            {
                var tokenLength = list[at..].IndexOfAny(" ,\t"u8);
                if (tokenLength < 0)
                    tokenLength = list.Length - at;
                if (tokenLength > 0)
                {
                    var reason = IdText.Parse(list.Slice(at, tokenLength), "item id", out var item) ?? FeedBuilder.CheckItem(item);
                    if (reason is not null)
                    {
                        builder.Reject(Location(line, from + at), reason);
                        return;
                    }
                    builder.AddItem((uint)item);
                }
                at += tokenLength + 1;
            }
        }
        if (builder.EndRow() is { } duplicate)
            builder.Reject(Location(line, 0), duplicate);
    }

    /// <summary>The field without surrounding spaces, one pair of quotes and one pair of brackets, as (offset, length) in the line.</summary>
    private static (int From, int Length) Unwrap(ReadOnlySpan<byte> field, int offset)
    {
        int from = 0, to = field.Length;
        Trim(field, ref from, ref to);
        if (to - from >= 2 && field[from] == '"' && field[to - 1] == '"')
        {
            (from, to) = (from + 1, to - 1);
            Trim(field, ref from, ref to);
        }
        if (to - from >= 2 && field[from] == '[' && field[to - 1] == ']')
        {
            (from, to) = (from + 1, to - 1);
            Trim(field, ref from, ref to);
        }
        return (offset + from, to - from);

        static void Trim(ReadOnlySpan<byte> s, ref int from, ref int to)
        {
            while (from < to && s[from] == ' ')
                from++;
            while (to > from && s[to - 1] == ' ')
                to--;
        }
    }

    /// <summary>Column is the 1-based character position of the field or id at fault.</summary>
    private string Location(long line, int index) => $"{_path}: row {line}, column {index + 1}";

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
