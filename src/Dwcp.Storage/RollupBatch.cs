using System.Runtime.InteropServices;

namespace Dwcp.Storage;

/// <summary>A rollup row with the key the store replaces it by.</summary>
/// <typeparam name="TKey">The key: a value type with cheap, allocation-free equality.</typeparam>
internal interface IKeyedRollup<TKey>
    where TKey : struct, IEquatable<TKey>, IRollupKey
{
    /// <summary>The identity of the row.</summary>
    TKey Key { get; }
}

/// <summary>A rollup key's 64-bit fingerprint: equal keys have equal fingerprints (so different fingerprints mean different keys).</summary>
internal interface IRollupKey
{
    ulong Fingerprint();
}

/// <summary>What both rollup kinds do to a batch before writing it.</summary>
internal static class RollupBatch
{
    /// <summary>
    /// One row per key, a later row replacing an earlier one (as the store does on rewrite), in the order of each key's
    /// first row. A batch without repeated keys (the usual case: the engine closes each window once) is returned as is.
    /// </summary>
    /// <remarks>
    /// Rows are first told apart by their keys' 64-bit fingerprints in a table reused from one batch to the next (a
    /// group of closed windows can hold 200,000 rows): no row is kept and nothing is allocated per row. Only when two
    /// fingerprints are equal (a repeated key, or a collision) are the keys themselves compared, in a second pass.
    /// </remarks>
    public static IReadOnlyCollection<T> LastPerKey<T, TKey>(IReadOnlyList<T> rows)
        where T : IKeyedRollup<TKey>
        where TKey : struct, IEquatable<TKey>, IRollupKey
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count < 2)
        {
            return rows;
        }

        var fingerprints = Rent(rows.Count);
        try
        {
            for (var i = 0; i < rows.Count; i++)
            {
                if (!fingerprints.Add(rows[i].Key.Fingerprint()))
                {
                    return ExactLastPerKey<T, TKey>(rows);
                }
            }

            return rows;
        }
        finally
        {
            Return(fingerprints);
        }
    }

    /// <summary>The rows with one row per key, comparing the keys themselves.</summary>
    private static List<T> ExactLastPerKey<T, TKey>(IReadOnlyList<T> rows)
        where T : IKeyedRollup<TKey>
        where TKey : struct, IEquatable<TKey>, IRollupKey
    {
        var seen = new Dictionary<TKey, (int First, int Last)>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(seen, rows[i].Key, out var exists);
            slot = exists ? (slot.First, i) : (i, i);
        }

        var unique = new List<T>(seen.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (first, last) = seen[rows[i].Key];
            if (first == i)
            {
                unique.Add(rows[last]);
            }
        }

        return unique;
    }

    /// <summary>Fingerprint sets larger than this are not kept for the next batch (about 6 MB).</summary>
    private const int MaxCachedRows = 1 << 18;

    private static HashSet<ulong>? _cached;

    private static HashSet<ulong> Rent(int rows)
    {
        var set = Interlocked.Exchange(ref _cached, null);
        if (set is null)
        {
            return new HashSet<ulong>(rows);
        }

        set.EnsureCapacity(rows);
        return set;
    }

    private static void Return(HashSet<ulong> set)
    {
        if (set.Count > MaxCachedRows)
        {
            return;
        }

        set.Clear();
        Volatile.Write(ref _cached, set);
    }
}

/// <summary>
/// A 64-bit multiply–xorshift hash chain for the rollup keys' fingerprints, four characters per step (not for untrusted
/// input: a collision only costs the exact pass).
/// </summary>
internal static class KeyHash64
{
    public const ulong Seed = 0x243F6A8885A308D3;

    public static ulong Add(ulong hash, long value) => Mix(hash, (ulong)value);

    /// <summary>Adds a string (its length too, so field boundaries count; null differs from empty).</summary>
    public static ulong Add(ulong hash, string? value)
    {
        if (value is null)
        {
            return Mix(hash, ulong.MaxValue);
        }

        var chars = value.AsSpan();
        var words = MemoryMarshal.Cast<char, ulong>(chars);
        foreach (var w in words)
        {
            hash = Mix(hash, w);
        }

        for (var i = words.Length * 4; i < chars.Length; i++)
        {
            hash = Mix(hash, chars[i]);
        }

        return Mix(hash, (ulong)value.Length);
    }

    private static ulong Mix(ulong hash, ulong value)
    {
        hash = (hash ^ value) * 0x9E3779B97F4A7C15;
        return hash ^ (hash >> 29);
    }
}
