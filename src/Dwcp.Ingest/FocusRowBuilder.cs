using Dwcp.Core.Focus;

namespace Dwcp.Ingest;

/// <summary>
/// Fills one <see cref="FocusRow"/> at a time from cells (text from CSV, typed values from Parquet), applying the
/// normalisations, counting warnings and collecting the row's errors.
/// </summary>
internal sealed class FocusRowBuilder
{
    private readonly string _file;
    private readonly ColumnBinding[] _bindings;
    private readonly IngestReport _report;
    private readonly string _hint;
    private readonly TagsNormalizer _tags = new();
    private readonly List<IngestError> _rowErrors = [];
    private readonly bool[] _failed;
    private readonly int[] _checkedForNull;
    private FocusRow _row = new();
    private long _line;
    private int? _group;
    private long? _rowInGroup;

    public FocusRowBuilder(string file, ColumnBinding[] bindings, IngestReport report, FocusReaderOptions options)
    {
        _file = file;
        _bindings = bindings;
        _report = report;
        _failed = new bool[bindings.Length];
        _checkedForNull = [.. Enumerable.Range(0, bindings.Length).Where(i => bindings[i].NullPolicy != NullPolicy.Allowed)];
        _hint = options.SkipInvalidRows
            ? "The row was skipped; correct it at the source to load it."
            : "Fix the value or re-run with --skip-invalid-rows to load the other rows.";
    }

    public ColumnBinding[] Bindings => _bindings;

    /// <summary>The errors of the current row (empty when it is good).</summary>
    public IReadOnlyList<IngestError> RowErrors => _rowErrors;

    public string RowHint => _hint;

    /// <summary>Starts a row at a CSV line, or at a Parquet row group and row (line is then the 1-based row number).</summary>
    public FocusRow Begin(long line, int? group = null, long? rowInGroup = null)
    {
        _row = new FocusRow { SourceFile = _file, SourceLine = line };
        _line = line;
        _group = group;
        _rowInGroup = rowInGroup;
        _rowErrors.Clear();
        Array.Clear(_failed);
        return _row;
    }

    /// <summary>Sets a cell from its text. <paramref name="quoted"/>: the text was quoted (so empty means "", not absent).</summary>
    public void SetText(int index, ReadOnlySpan<char> text, bool quoted)
    {
        var b = _bindings[index];
        if (b.Kind == BindingKind.Extension)
        {
            _row.Extensions[b.HeaderName] = text.Length == 0 && !quoted ? null : b.Cache!.Get(text, out _);
            return;
        }

        if (text.Length == 0)
        {
            if (quoted)
            {
                Warn(IngestWarningKind.EmptyStringAsNull, index, "\"\"");
            }

            return;
        }

        if (text.Length == 4 && text.SequenceEqual("NULL"))
        {
            Warn(IngestWarningKind.NullLiteral, index, "NULL");
            return;
        }

        switch (b.Kind)
        {
            case BindingKind.Decimal:
                if (ValueParsers.TryParseDecimal(text, out var d))
                {
                    _row.Decimals[b.Slot] = d;
                }
                else
                {
                    Fail(index, text, $"'{IngestError.Shorten(text)}' is not a number.");
                }

                break;
            case BindingKind.DateTime:
                if (ValueParsers.TryParseTimestamp(text, out var dt, out var notes))
                {
                    _row.DateTimes[b.Slot] = dt;
                    if (notes != TimestampNotes.None)
                    {
                        WarnTimestamp(notes, index, text);
                    }
                }
                else
                {
                    Fail(index, text,
                        $"'{IngestError.Shorten(text)}' is not a date-time; FOCUS expects ISO 8601 UTC such as 2024-09-01T00:00:00Z.");
                }

                break;
            case BindingKind.String:
                var s = b.Cache!.Get(text, out var status);
                _row.Strings[b.Slot] = s;
                if (status != ValueStatus.Ok)
                {
                    Warn(status == ValueStatus.CaseFixed ? IngestWarningKind.AllowedValueCaseFixed : IngestWarningKind.UnknownAllowedValue,
                        index, text);
                }

                break;
            case BindingKind.Tags:
                var tags = b.Cache!.Get(text, out _);
                _row.Strings[b.Slot] = tags;
                _row.NormalizedTags = _tags.Normalize(tags, out var tagNotes);
                if (tagNotes != TagNotes.None)
                {
                    WarnTags(tagNotes, index, text);
                }

                break;
            default:
                var json = b.Cache!.Get(text, out _);
                _row.Strings[b.Slot] = json;
                var trimmed = text.Trim();
                if (trimmed.Length < 2 || trimmed[0] != '{' || trimmed[^1] != '}')
                {
                    Warn(IngestWarningKind.JsonNotObject, index, text);
                }

                break;
        }
    }

    /// <summary>Sets a decimal cell from a typed (Parquet) value.</summary>
    public void SetDecimal(int index, decimal value) => _row.Decimals[_bindings[index].Slot] = value;

    /// <summary>Sets a date-time cell from a typed (Parquet) value already in UTC.</summary>
    public void SetDateTime(int index, DateTime value) => _row.DateTimes[_bindings[index].Slot] = value;

    /// <summary>Sets an extension cell from a typed (Parquet) value rendered as text.</summary>
    public void SetExtension(int index, string? value) => _row.Extensions[_bindings[index].HeaderName] = value;

    /// <summary>Records a cell that cannot be converted.</summary>
    public void Fail(int index, ReadOnlySpan<char> value, string message)
    {
        _failed[index] = true;
        _rowErrors.Add(Error(_bindings[index].HeaderName, IngestError.Shorten(value), message));
    }

    /// <summary>Records a problem with the record as a whole (field count, quoting).</summary>
    public void FailRecord(string message, string? value, string? hint = null) =>
        _rowErrors.Add(Error(null, value, message, hint is null ? _hint : hint + " " + _hint));

    /// <summary>Counts a warning for cell <paramref name="index"/> of the current row.</summary>
    public void Warn(IngestWarningKind kind, int index, ReadOnlySpan<char> value)
    {
        if (_report.Count(kind))
        {
            _report.SetFirst(new IngestWarning(kind, 0, IngestWarning.Describe(kind), _file, _group is null ? _line : 0,
                index < 0 ? null : _bindings[index].HeaderName, IngestError.Shorten(value))
            {
                FirstRowGroup = _group,
                FirstRow = _rowInGroup,
            });
        }
    }

    /// <summary>Finishes the row: checks the nulls. Returns true when the row has no error.</summary>
    public bool End()
    {
        foreach (var i in _checkedForNull)
        {
            var b = _bindings[i];
            var isNull = b.Kind switch
            {
                BindingKind.Decimal => _row.Decimals[b.Slot] is null,
                BindingKind.DateTime => _row.DateTimes[b.Slot] is null,
                _ => _row.Strings[b.Slot] is null,
            };
            if (!isNull || _failed[i])
            {
                continue;
            }

            if (b.NullPolicy == NullPolicy.Error)
            {
                _rowErrors.Add(Error(b.HeaderName, null,
                    $"The value is missing, but {b.Focus!.Name} must not be null in FOCUS (it is needed to reconcile with the invoice)."));
            }
            else
            {
                Warn(IngestWarningKind.NullInNonNullableColumn, i, "");
            }
        }

        return _rowErrors.Count == 0;
    }

    private IngestError Error(string? column, string? value, string message, string? hint = null) =>
        new(_file, _group is null ? _line : 0, column, value, message, hint ?? _hint)
        {
            RowGroup = _group,
            Row = _rowInGroup,
        };

    private void WarnTimestamp(TimestampNotes notes, int index, ReadOnlySpan<char> text)
    {
        if ((notes & TimestampNotes.NoTimeZone) != 0)
        {
            Warn(IngestWarningKind.TimestampWithoutTimeZone, index, text);
        }

        if ((notes & TimestampNotes.OffsetConverted) != 0)
        {
            Warn(IngestWarningKind.TimestampOffsetConverted, index, text);
        }

        if ((notes & TimestampNotes.DateOnly) != 0)
        {
            Warn(IngestWarningKind.DateOnlyTimestamp, index, text);
        }
    }

    private void WarnTags(TagNotes notes, int index, ReadOnlySpan<char> text)
    {
        if ((notes & TagNotes.Trimmed) != 0)
        {
            Warn(IngestWarningKind.TagKeyTrimmed, index, text);
        }

        if ((notes & TagNotes.Duplicate) != 0)
        {
            Warn(IngestWarningKind.TagKeyDuplicate, index, text);
        }

        if ((notes & TagNotes.NotObject) != 0)
        {
            Warn(IngestWarningKind.JsonNotObject, index, text);
        }
    }
}
