using System.Globalization;
using Dwcp.Ingest.Csv;

namespace Dwcp.Ingest.Native.Sources;

/// <summary>Records of a plain or gzip CSV export; the first record is the header.</summary>
internal sealed class CsvNativeSource : NativeSource
{
    private readonly CsvRecordReader _csv;
    private readonly string[] _header;
    private readonly IngestReport _report;
    private string? _problem;
    private string? _hint;

    public CsvNativeSource(string path, IngestFormat format, FocusReaderOptions options, IngestReport report)
        : base(path)
    {
        Container = format;
        _report = report;
        var text = TextInput.Open(path, path, format, out var verifyAtEnd);
        _csv = new CsvRecordReader(text, path, options.MaxRecordChars, verifyAtEnd);
        try
        {
            if (!_csv.Read())
            {
                throw new IngestException(new IngestError(path, 0, null, null, "The file is empty (it has no header line).",
                    "Export or download the file again."));
            }

            _header = new string[_csv.FieldCount];
            for (var i = 0; i < _header.Length; i++)
            {
                _header[i] = _csv.Field(i).ToString();
            }
        }
        catch
        {
            _csv.Dispose();
            throw;
        }
    }

    public override IReadOnlyList<string> Names => _header;

    public override IngestFormat Container { get; }

    public override long Line => _csv.StartLine;

    public override string? RecordProblem => _problem;

    public override string? RecordProblemHint => _hint;

    public override bool Read(CancellationToken cancellationToken)
    {
        while (_csv.Read())
        {
            if (_csv.IsBlankLine)
            {
                if (_report.Count(IngestWarningKind.BlankLineSkipped))
                {
                    _report.SetFirst(new IngestWarning(IngestWarningKind.BlankLineSkipped, 0,
                        IngestWarning.Describe(IngestWarningKind.BlankLineSkipped), File, _csv.StartLine, null, null));
                }

                continue;
            }

            _problem = _hint = null;
            if (_csv.FieldCount != _header.Length)
            {
                var truncated = _csv.EndedAtEof && _csv.FieldCount < _header.Length;
                _problem = string.Create(CultureInfo.InvariantCulture,
                    $"The record has {_csv.FieldCount} fields but the header has {_header.Length}.{(truncated ? " It is the last record of the file, which may be truncated." : "")}");
                _hint = truncated
                    ? "Download or export the file again if it was cut off."
                    : "Check that fields containing commas or line breaks are quoted (RFC 4180).";
            }
            else if (_csv.MalformedField >= 0)
            {
                _problem = $"Field {_csv.MalformedField + 1} ({_header[_csv.MalformedField]}) has text after its closing quote.";
                _hint = "Quote the whole field and double every quote inside it (RFC 4180).";
            }

            return true;
        }

        return false;
    }

    public override ReadOnlySpan<char> Get(int id) => id >= 0 && id < _csv.FieldCount ? _csv.Field(id) : [];

    public override void WriteRaw(RejectedRowsWriter writer)
    {
        for (var i = 0; i < _csv.FieldCount; i++)
        {
            writer.WriteField(_csv.Field(i), _csv.IsQuoted(i));
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _csv.Dispose();
        }
    }
}
