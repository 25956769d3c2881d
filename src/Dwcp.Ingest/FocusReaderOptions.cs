namespace Dwcp.Ingest;

/// <summary>Options for <see cref="FocusFileReader"/>.</summary>
public sealed record FocusReaderOptions
{
    /// <summary>Default for <see cref="MaxRecordChars"/>: 1,048,576 characters.</summary>
    public const int DefaultMaxRecordChars = 1_048_576;

    /// <summary>Default for <see cref="MaxErrors"/>: 100.</summary>
    public const int DefaultMaxErrors = 100;

    /// <summary>
    /// When true the caller intends to load the good rows of a file that has bad ones: the reader keeps reading past
    /// <see cref="MaxErrors"/> and, when <see cref="RejectedRowsPath"/> is set, writes every rejected row there.
    /// When false the reader stops after <see cref="MaxErrors"/> errors and the caller should reject the whole file
    /// when <see cref="IngestReport.Errors"/> is not empty.
    /// </summary>
    public bool SkipInvalidRows { get; init; }

    /// <summary>
    /// Path of a CSV sidecar receiving the rejected rows (ignored unless <see cref="SkipInvalidRows"/> is true). Its header is
    /// <c>_dwcp_line,_dwcp_error</c> followed by the source header; it is created when the first row is rejected.
    /// </summary>
    public string? RejectedRowsPath { get; init; }

    /// <summary>
    /// The longest CSV record accepted, in characters (quoted newlines included). A longer record is a fatal error; the
    /// reader never buffers more than about this many characters.
    /// </summary>
    public int MaxRecordChars { get; init; } = DefaultMaxRecordChars;

    /// <summary>How many errors <see cref="IngestReport.Errors"/> keeps (all are counted in <see cref="IngestReport.ErrorCount"/>).</summary>
    public int MaxErrors { get; init; } = DefaultMaxErrors;

    internal void Validate()
    {
        if (MaxRecordChars < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRecordChars), MaxRecordChars, "MaxRecordChars must be at least 1024.");
        }

        if (MaxErrors < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxErrors), MaxErrors, "MaxErrors must be at least 1.");
        }
    }
}
