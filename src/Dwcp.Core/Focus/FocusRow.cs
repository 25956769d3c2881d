namespace Dwcp.Core.Focus;

/// <summary>
/// One FOCUS 1.2 cost row: all 57 columns as typed fields, the provider's extra columns, and where the row came from.
/// </summary>
/// <remarks>
/// Values live in three typed arrays indexed by <see cref="FocusColumn.Slot"/> so readers and stores can move
/// columns generically without boxing; the generated properties give typed, named access to the same values.
/// JSON columns (<see cref="Tags"/>, <see cref="SkuPriceDetails"/>) hold the JSON text exactly as delivered.
/// </remarks>
public sealed partial class FocusRow
{
    /// <summary>String and JSON columns, by slot.</summary>
    public string?[] Strings { get; } = new string?[FocusColumns.StringSlots];

    /// <summary>Decimal columns, by slot.</summary>
    public decimal?[] Decimals { get; } = new decimal?[FocusColumns.DecimalSlots];

    /// <summary>Date-time columns (UTC), by slot.</summary>
    public DateTime?[] DateTimes { get; } = new DateTime?[FocusColumns.DateTimeSlots];

    /// <summary>
    /// Columns of the source file that are not FOCUS 1.2 columns (<c>x_…</c> and others), by their header name as
    /// delivered. Never dropped.
    /// </summary>
    public Dictionary<string, string?> Extensions { get; } = new(StringComparer.Ordinal);

    /// <summary>Tags with keys trimmed (the normalised view). <see cref="Tags"/> keeps the raw JSON.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> NormalizedTags { get; set; } = [];

    /// <summary>The file the row was read from (for lineage), or null for generated rows.</summary>
    public string? SourceFile { get; set; }

    /// <summary>The 1-based physical line in <see cref="SourceFile"/> where the row starts.</summary>
    public long SourceLine { get; set; }

    /// <summary>Reads a column generically as an object (string, decimal, DateTime or null).</summary>
    public object? GetValue(FocusColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column.DataType switch
        {
            FocusDataType.Decimal => Decimals[column.Slot],
            FocusDataType.DateTime => DateTimes[column.Slot],
            _ => Strings[column.Slot],
        };
    }
}
