using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecFeed.Feed;

/// <summary>
/// The deltas one generation serves over its base, in name order (a later one wins for a user both list), and one bit
/// per base user saying whether any of them lists that user. A request for an unlisted user pays one load and a bit
/// test; only a listed one searches the deltas (newest first, a binary search in each). The bit map is
/// UserCount / 8 bytes, built anew for each generation; the deltas themselves are shared between generations.
/// </summary>
public sealed unsafe class FeedOverlay : IDisposable
{
    private ulong* _listed;
    private readonly ulong _words;

    public FeedOverlay(ulong baseUsers, IReadOnlyList<AppliedDelta> deltas)
    {
        _words = (baseUsers + 63) >> 6;
        _listed = (ulong*)NativeMemory.AllocZeroed((nuint)Math.Max(_words, 1), sizeof(ulong));
        Deltas = deltas;
        foreach (var delta in deltas)
            for (ulong i = 0; i < delta.Slab.UserCount; i++)
            {
                var user = delta.Slab.UserAt(i);
                _listed[user >> 6] |= 1UL << (int)(user & 63);
            }
        for (ulong w = 0; w < _words; w++)
            UsersListed += (ulong)BitOperations.PopCount(_listed[w]);
    }

    public IReadOnlyList<AppliedDelta> Deltas { get; }

    /// <summary>Base users that at least one delta lists.</summary>
    public ulong UsersListed { get; }

    /// <summary>Native bytes: the bit map and every delta it serves.</summary>
    public ulong Bytes => _words * sizeof(ulong) + Deltas.Aggregate(0UL, (sum, d) => sum + d.Bytes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Lists(ulong user) => ((_listed[user >> 6] >> (int)(user & 63)) & 1) != 0;

    /// <summary>The newest delta listing <paramref name="user"/> (who <see cref="Lists"/> says is listed) and their row in it.</summary>
    public AppliedDelta Find(ulong user, out ulong index)
    {
        for (var d = Deltas.Count - 1; d >= 0; d--)
        {
            var at = Deltas[d].Slab.IndexOf(user);
            if (at >= 0)
            {
                index = (ulong)at;
                return Deltas[d];
            }
        }
        throw new InvalidOperationException($"user row {user} is marked listed and no delta lists it");
    }

    /// <summary>Frees the bit map only: the deltas belong to whichever generations still serve them.</summary>
    public void Dispose()
    {
        var p = _listed;
        _listed = null;
        if (p != null)
            NativeMemory.Free(p);
    }
}
