using System.Globalization;
using Dwcp.Core.Focus;

namespace Dwcp.Ingest.Csv;

/// <summary>Rows of a CSV or gzip CSV file.</summary>
internal sealed class CsvRowSource : RowSource
{
    private readonly CsvRecordReader _csv;
    private readonly FocusRowBuilder _builder;
    private readonly string[] _header;

    public CsvRowSource(string path, string file, IngestFormat format, FocusReaderOptions options, IngestReport report)
        : base(file, options, report)
    {
        var text = TextInput.Open(path, file, format, out var verifyAtEnd);
        _csv = new CsvRecordReader(text, file, options.MaxRecordChars, verifyAtEnd);
        try
        {
            if (!_csv.Read())
            {
                throw new IngestException(new IngestError(file, 0, null, null, "The file is empty (it has no header line).",
                    "Export or download the file again."));
            }

            _header = new string[_csv.FieldCount];
            for (var i = 0; i < _header.Length; i++)
            {
                _header[i] = _csv.Field(i).ToString();
            }

            _builder = new FocusRowBuilder(file, ColumnBinding.MapHeader(_header, file, _csv.StartLine, report), report, options);
        }
        catch
        {
            _csv.Dispose();
            throw;
        }
    }

    public override IReadOnlyList<string> Header => _header;

    public override IEnumerable<FocusRow> Rows(CancellationToken cancellationToken)
    {
        var columns = _header.Length;
        var b = _builder;
        while (_csv.Read())
        {
            if ((Report.RowsRead & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (_csv.IsBlankLine)
            {
                if (Report.Count(IngestWarningKind.BlankLineSkipped))
                {
                    Report.SetFirst(new IngestWarning(IngestWarningKind.BlankLineSkipped, 0,
                        IngestWarning.Describe(IngestWarningKind.BlankLineSkipped), File, _csv.StartLine, null, null));
                }

                continue;
            }

            Report.RowsRead++;
            var row = b.Begin(_csv.StartLine);
            bool ok;
            if (_csv.FieldCount != columns)
            {
                var truncated = _csv.EndedAtEof && _csv.FieldCount < columns;
                b.FailRecord(
                    string.Create(CultureInfo.InvariantCulture,
                        $"The record has {_csv.FieldCount} fields but the header has {columns}.{(truncated ? " It is the last record of the file, which may be truncated." : "")}"),
                    _csv.FieldCount.ToString(CultureInfo.InvariantCulture),
                    truncated
                        ? "Download or export the file again if it was cut off."
                        : "Check that fields containing commas or line breaks are quoted (RFC 4180).");
                ok = false;
            }
            else if (_csv.MalformedField >= 0)
            {
                b.FailRecord(
                    $"Field {_csv.MalformedField + 1} ({_header[_csv.MalformedField]}) has text after its closing quote.",
                    IngestError.Shorten(_csv.Field(_csv.MalformedField)),
                    "Quote the whole field and double every quote inside it (RFC 4180).");
                ok = false;
            }
            else
            {
                for (var i = 0; i < columns; i++)
                {
                    b.SetText(i, _csv.Field(i), _csv.IsQuoted(i));
                }

                ok = b.End();
            }

            if (ok)
            {
                yield return row;
            }
            else if (Reject(_csv.StartLine, b.RowErrors, WriteRawFields))
            {
                yield break;
            }
        }
    }

    private void WriteRawFields(RejectedRowsWriter writer)
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

        base.Dispose(disposing);
    }
}
