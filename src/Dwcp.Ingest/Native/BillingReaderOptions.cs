namespace Dwcp.Ingest.Native;

/// <summary>Whether an Azure cost-details file holds actual (billed) or amortized cost.</summary>
public enum AzureCostKind
{
    /// <summary>Actual cost: commitment purchases at their invoiced amount, covered usage at zero.</summary>
    Actual,
    /// <summary>Amortized cost: commitment purchases spread over the usage they cover, unused commitment shown.</summary>
    Amortized,
}

/// <summary>Options for <see cref="BillingFileReader"/>.</summary>
public sealed record BillingReaderOptions
{
    /// <summary>The format of the file, or null to detect it from the header (<c>--source-format</c>).</summary>
    public SourceFormat? SourceFormat { get; init; }

    /// <summary>
    /// For Azure cost details: actual or amortized, or null to decide from the file name (<c>Actual</c>/<c>Amortized</c>)
    /// and, failing that, from the rows (see docs/ingest-native.md).
    /// </summary>
    public AzureCostKind? AzureCostKind { get; init; }

    /// <summary>Same as <see cref="FocusReaderOptions.SkipInvalidRows"/>.</summary>
    public bool SkipInvalidRows { get; init; }

    /// <summary>Same as <see cref="FocusReaderOptions.RejectedRowsPath"/>.</summary>
    public string? RejectedRowsPath { get; init; }

    /// <summary>Same as <see cref="FocusReaderOptions.MaxRecordChars"/>.</summary>
    public int MaxRecordChars { get; init; } = FocusReaderOptions.DefaultMaxRecordChars;

    /// <summary>Same as <see cref="FocusReaderOptions.MaxErrors"/>.</summary>
    public int MaxErrors { get; init; } = FocusReaderOptions.DefaultMaxErrors;

    /// <summary>The equivalent options of the FOCUS reader.</summary>
    public FocusReaderOptions ToFocusOptions() => new()
    {
        SkipInvalidRows = SkipInvalidRows,
        RejectedRowsPath = RejectedRowsPath,
        MaxRecordChars = MaxRecordChars,
        MaxErrors = MaxErrors,
    };
}
