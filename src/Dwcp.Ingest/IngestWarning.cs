namespace Dwcp.Ingest;

/// <summary>The kinds of normalisation and tolerated deviation the reader counts. Counts are per cell unless noted.</summary>
public enum IngestWarningKind
{
    /// <summary>A literal <c>NULL</c> cell (quoted or not) was read as null.</summary>
    NullLiteral,
    /// <summary>A quoted empty string (<c>""</c>) in a FOCUS column was read as null (FOCUS forbids empty strings).</summary>
    EmptyStringAsNull,
    /// <summary>A timestamp without a time zone (<c>2024-09-01 00:00:00</c>) was taken as UTC.</summary>
    TimestampWithoutTimeZone,
    /// <summary>A timestamp with a non-zero UTC offset was converted to UTC.</summary>
    TimestampOffsetConverted,
    /// <summary>A date without a time (<c>2024-09-01</c>) was taken as midnight UTC.</summary>
    DateOnlyTimestamp,
    /// <summary>An allowed value in the wrong case was mapped to its canonical spelling (<c>Usage-based</c> → <c>Usage-Based</c>).</summary>
    AllowedValueCaseFixed,
    /// <summary>A value of an allowed-values column is not in the FOCUS list; it is kept as delivered.</summary>
    UnknownAllowedValue,
    /// <summary>A null in a column FOCUS says must not be null, where the reader tolerates it (e.g. ProviderName, ContractedCost).</summary>
    NullInNonNullableColumn,
    /// <summary>A Tags key or value had surrounding spaces; NormalizedTags holds it trimmed, Tags keeps the raw JSON.</summary>
    TagKeyTrimmed,
    /// <summary>A Tags key occurred twice (after trimming); NormalizedTags keeps the first value.</summary>
    TagKeyDuplicate,
    /// <summary>A JSON column (Tags, SkuPriceDetails) is not a JSON object; the text is kept and NormalizedTags is empty.</summary>
    JsonNotObject,
    /// <summary>A blank line between records was skipped (counted per line).</summary>
    BlankLineSkipped,
    /// <summary>A header cell was empty; the column is kept as an extension named <c>column&lt;n&gt;</c> (counted per column).</summary>
    EmptyColumnName,
    /// <summary>A Parquet float/double was converted to decimal through its shortest round-trip text.</summary>
    FloatingPointConverted,
    /// <summary>A nested Parquet column (list/struct, or a map that is not string to string) could not be kept (counted per column).</summary>
    ParquetColumnSkipped,
}

/// <summary>How often one kind of warning occurred and where it occurred first.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Count">How many times (cells, unless the kind says otherwise).</param>
/// <param name="Description">What the reader did, as a sentence.</param>
/// <param name="File">The file.</param>
/// <param name="FirstLine">Line of the first occurrence (0 for Parquet or unknown).</param>
/// <param name="FirstColumn">Column of the first occurrence, as named in the header.</param>
/// <param name="FirstValue">Value of the first occurrence (shortened), or null.</param>
public sealed record IngestWarning(
    IngestWarningKind Kind,
    long Count,
    string Description,
    string File,
    long FirstLine,
    string? FirstColumn,
    string? FirstValue)
{
    /// <summary>Parquet row group of the first occurrence.</summary>
    public int? FirstRowGroup { get; init; }

    /// <summary>Parquet row (within <see cref="FirstRowGroup"/>) of the first occurrence.</summary>
    public long? FirstRow { get; init; }

    internal static string Describe(IngestWarningKind kind) => kind switch
    {
        IngestWarningKind.NullLiteral => "Literal NULL cells were read as null.",
        IngestWarningKind.EmptyStringAsNull => "Empty strings were read as null (FOCUS forbids empty strings).",
        IngestWarningKind.TimestampWithoutTimeZone => "Timestamps without a time zone were taken as UTC.",
        IngestWarningKind.TimestampOffsetConverted => "Timestamps with a UTC offset were converted to UTC.",
        IngestWarningKind.DateOnlyTimestamp => "Dates without a time were taken as midnight UTC.",
        IngestWarningKind.AllowedValueCaseFixed => "Allowed values in the wrong case were mapped to the FOCUS spelling.",
        IngestWarningKind.UnknownAllowedValue => "Values outside the FOCUS allowed values were kept as delivered.",
        IngestWarningKind.NullInNonNullableColumn => "Nulls in columns FOCUS requires to be filled were kept as null.",
        IngestWarningKind.TagKeyTrimmed => "Tag keys or values with surrounding spaces were trimmed in NormalizedTags (Tags keeps the raw JSON).",
        IngestWarningKind.TagKeyDuplicate => "Duplicate tag keys (after trimming) kept their first value in NormalizedTags.",
        IngestWarningKind.JsonNotObject => "JSON columns that are not a JSON object were kept as text; their NormalizedTags are empty.",
        IngestWarningKind.BlankLineSkipped => "Blank lines were skipped.",
        IngestWarningKind.EmptyColumnName => "Header cells without a name were kept as extension columns named column<n>.",
        IngestWarningKind.FloatingPointConverted => "Floating-point Parquet values were converted to decimal via their shortest round-trip text.",
        IngestWarningKind.ParquetColumnSkipped => "Nested Parquet columns that cannot be represented were skipped.",
        _ => kind.ToString(),
    };
}
