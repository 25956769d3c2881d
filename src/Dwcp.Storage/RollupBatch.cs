namespace Dwcp.Storage;

/// <summary>What both rollup kinds do to a batch before writing it.</summary>
internal static class RollupBatch
{
    /// <summary>One row per key, a later row replacing an earlier one (as the store does on rewrite).</summary>
    public static IReadOnlyCollection<T> LastPerKey<T, TKey>(IReadOnlyList<T> rows, Func<T, TKey> key)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(rows);
        var unique = new Dictionary<TKey, T>(rows.Count);
        foreach (var r in rows)
        {
            unique[key(r)] = r;
        }

        return unique.Values;
    }
}
