namespace RecFeed.Feed;

/// <summary>
/// Tops a response up with popular items. It walks the fallback list once, from a random start with a random
/// stride coprime to its length, so each pick is a different item and the walk ends after at most one pass:
/// bounded however small the list or large the request (the Go design can spin forever here).
/// </summary>
public sealed class FallbackPicker
{
    private readonly uint[] _items;
    private readonly int[] _strides;

    /// <param name="items">The file's fallback list; zeros ("no item") and repeats are dropped.</param>
    public FallbackPicker(ReadOnlySpan<uint> items)
    {
        var distinct = new List<uint>(items.Length);
        var seen = new HashSet<uint>();
        foreach (var item in items)
            if (item != 0 && seen.Add(item))
                distinct.Add(item);
        _items = [.. distinct];
        _strides = CoprimeStrides(_items.Length);
    }

    public int Count => _items.Length;

    /// <summary>
    /// Fills <paramref name="response"/> after its first <paramref name="personal"/> items with fallback items not
    /// among those; returns how many items the response now holds (less than its length if the list runs dry).
    /// </summary>
    public int Fill(Span<uint> response, int personal)
    {
        var items = _items;
        var n = items.Length;
        if (n == 0 || personal >= response.Length)
            return personal;
        ReadOnlySpan<uint> taken = response[..personal];
        var i = Random.Shared.Next(n);
        var stride = _strides[Random.Shared.Next(_strides.Length)];
        var filled = personal;
        for (var step = 0; step < n && filled < response.Length; step++)
        {
            var item = items[i];
            if (!taken.Contains(item))
                response[filled++] = item;
            i += stride;
            if (i >= n)
                i -= n;
        }
        return filled;
    }

    private static int[] CoprimeStrides(int n)
    {
        var strides = new List<int> { 1 };
        for (var s = 2; s < n; s++)
            if (Gcd(s, n) == 1)
                strides.Add(s);
        return [.. strides];
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }
}
