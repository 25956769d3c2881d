using System.Collections.Frozen;

namespace Dwcp.Core.Focus;

/// <summary>The FOCUS 1.2 column catalogue: every column, its type and whether it is mandatory.</summary>
public static partial class FocusColumns
{
    // Nested so that it initialises after All (field initialisers across partial files have no defined order).
    private static class Index
    {
        internal static readonly FrozenDictionary<string, FocusColumn> ByName =
            All.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

        internal static readonly FocusColumn[] Mandatory = All.Where(c => c.IsMandatory).ToArray();
    }

    /// <summary>Number of columns in FOCUS 1.2 (57).</summary>
    public static int Count => All.Count;

    /// <summary>The 21 mandatory columns (identical in FOCUS 1.0, 1.1 and 1.2).</summary>
    public static IReadOnlyList<FocusColumn> Mandatory => Index.Mandatory;

    /// <summary>Finds a column by name, ignoring case and surrounding spaces.</summary>
    public static bool TryFind(string name, out FocusColumn column)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Index.ByName.TryGetValue(name.Trim(), out column!);
    }

    /// <summary>The column with this exact (case-insensitive) name.</summary>
    public static FocusColumn Get(string name) =>
        TryFind(name, out var c) ? c : throw new KeyNotFoundException($"'{name}' is not a FOCUS 1.2 column.");
}
