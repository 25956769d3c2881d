using Dwcp.Ingest.Native;

namespace Dwcp.Ingest;

/// <summary>What happened while reading one file: counts, the first errors and a tally of warnings.</summary>
public sealed class IngestReport
{
    private static readonly int KindCount = Enum.GetValues<IngestWarningKind>().Length;

    private readonly List<IngestError> _errors = [];
    private readonly long[] _warningCounts = new long[KindCount];
    private readonly IngestWarning?[] _firstWarnings = new IngestWarning?[KindCount];
    private readonly int _maxErrors;

    internal IngestReport(string file, IngestFormat format, int maxErrors)
    {
        File = file;
        FormatDetected = format;
        _maxErrors = maxErrors;
    }

    /// <summary>The file, as passed to <see cref="FocusFileReader.Open"/>.</summary>
    public string File { get; }

    /// <summary>The format found by looking at the content.</summary>
    public IngestFormat FormatDetected { get; }

    /// <summary>
    /// The billing format of the file: <see cref="SourceFormat.Focus"/> for <see cref="FocusFileReader"/>, the detected or
    /// requested format for <see cref="BillingFileReader"/>.
    /// </summary>
    public SourceFormat SourceFormat { get; internal set; }

    /// <summary>A refinement of <see cref="SourceFormat"/> found in the file (Azure: <c>actual</c> or <c>amortized</c>), or null.</summary>
    public string? SourceVariant { get; internal set; }

    /// <summary>Data rows read from the file so far (accepted and rejected; blank lines not counted).</summary>
    public long RowsRead { get; internal set; }

    /// <summary>Rows that had at least one error and were not yielded.</summary>
    public long RowsRejected { get; internal set; }

    /// <summary>Rows yielded to the caller.</summary>
    public long RowsAccepted => RowsRead - RowsRejected;

    /// <summary>The first <see cref="FocusReaderOptions.MaxErrors"/> errors (one per bad cell or bad record).</summary>
    public IReadOnlyList<IngestError> Errors => _errors;

    /// <summary>All errors, including those not kept in <see cref="Errors"/>.</summary>
    public long ErrorCount { get; private set; }

    /// <summary>True when reading stopped at <see cref="FocusReaderOptions.MaxErrors"/> errors before the end of the file.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>The fatal error that ended reading, if any (also thrown as <see cref="IngestException"/>).</summary>
    public IngestError? FatalError { get; internal set; }

    /// <summary>Where rejected rows were written, or null when none were written.</summary>
    public string? RejectedRowsFile { get; internal set; }

    /// <summary>Each kind of warning that occurred, with its count and first location.</summary>
    public IReadOnlyDictionary<IngestWarningKind, IngestWarning> Warnings
    {
        get
        {
            var result = new Dictionary<IngestWarningKind, IngestWarning>();
            for (var i = 0; i < KindCount; i++)
            {
                if (_firstWarnings[i] is { } first)
                {
                    result[(IngestWarningKind)i] = first with { Count = _warningCounts[i] };
                }
            }

            return result;
        }
    }

    /// <summary>How many times <paramref name="kind"/> occurred (0 when never).</summary>
    public long WarningCount(IngestWarningKind kind) => _warningCounts[(int)kind];

    internal void AddError(IngestError error)
    {
        ErrorCount++;
        if (_errors.Count < _maxErrors)
        {
            _errors.Add(error);
        }
    }

    internal bool ErrorLimitReached => ErrorCount >= _maxErrors;

    /// <summary>Counts one occurrence; returns true when it is the first, so the caller must call <see cref="SetFirst"/>.</summary>
    internal bool Count(IngestWarningKind kind, long times = 1)
    {
        var i = (int)kind;
        _warningCounts[i] += times;
        return _firstWarnings[i] is null;
    }

    internal void SetFirst(IngestWarning first) => _firstWarnings[(int)first.Kind] ??= first;
}
