using System.Globalization;
using Dwcp.Core.Focus;
using Dwcp.Ingest.Native.Sources;

namespace Dwcp.Ingest.Native;

/// <summary>
/// Builds one <see cref="FocusRow"/> at a time from a native record for a mapper: typed reads of source cells with
/// row errors that name the source column, extension columns for every cell the mapping does not copy verbatim, the
/// null checks FOCUS needs for reconciliation, and the one-currency-per-file rule.
/// </summary>
internal sealed class NativeRowContext
{
    private static readonly (int Ordinal, string Name)[] Required =
    [
        (FocusColumns.BilledCostOrdinal, "BilledCost"), (FocusColumns.EffectiveCostOrdinal, "EffectiveCost"),
        (FocusColumns.ListCostOrdinal, "ListCost"), (FocusColumns.ContractedCostOrdinal, "ContractedCost"),
        (FocusColumns.BillingAccountIdOrdinal, "BillingAccountId"), (FocusColumns.BillingCurrencyOrdinal, "BillingCurrency"),
        (FocusColumns.BillingPeriodStartOrdinal, "BillingPeriodStart"), (FocusColumns.BillingPeriodEndOrdinal, "BillingPeriodEnd"),
        (FocusColumns.ChargePeriodStartOrdinal, "ChargePeriodStart"), (FocusColumns.ChargePeriodEndOrdinal, "ChargePeriodEnd"),
    ];

    private readonly NativeSource _source;
    private readonly IngestReport _report;
    private readonly string _hint;
    private readonly string _formatName;
    private readonly List<IngestError> _errors = [];
    private readonly TagsNormalizer _tags = new();
    private StringCache?[] _caches = new StringCache?[64];
    private bool[] _direct = new bool[64];
    private string?[] _extensionKeys = new string?[64];
    private string? _currency;
    private long _currencyLine;

    public NativeRowContext(NativeSource source, IngestReport report, FocusReaderOptions options, SourceFormat format)
    {
        _source = source;
        _report = report;
        _formatName = SourceFormats.NameOf(format);
        _hint = options.SkipInvalidRows
            ? "The row was skipped; correct it at the source to load it."
            : "Fix the value or re-run with --skip-invalid-rows to load the other rows.";
    }

    public FocusRow Row { get; private set; } = new();

    public IReadOnlyList<IngestError> Errors => _errors;

    /// <summary>The source's column names (for JSON, every name seen or looked up so far).</summary>
    public IReadOnlyList<string> SourceNames => _source.Names;

    /// <summary>For each required FOCUS column, the source column(s) it comes from (for the missing-value message).</summary>
    public Dictionary<string, string> RequiredSources { get; } = new(StringComparer.Ordinal);

    /// <summary>The id of a source column, or -1 when the file does not have it.</summary>
    public int Id(string name) => _source.IdOf(name);

    /// <summary>The header name of column <paramref name="id"/>, or <paramref name="fallback"/> when the file lacks it.</summary>
    public string SourceNameOr(int id, string fallback) => id >= 0 ? _source.Names[id] : fallback;

    /// <summary>The first of <paramref name="names"/> that the file has, or -1.</summary>
    public int Id(params string[] names)
    {
        foreach (var n in names)
        {
            var id = _source.IdOf(n);
            if (id >= 0)
            {
                return id;
            }
        }

        return -1;
    }

    /// <summary>Marks a column as copied verbatim into a FOCUS column, so it is not also kept as an extension.</summary>
    public void Direct(params int[] ids)
    {
        foreach (var id in ids)
        {
            if (id >= 0)
            {
                Grow(id);
                _direct[id] = true;
            }
        }
    }

    public FocusRow Begin()
    {
        _errors.Clear();
        var extensions = Row.Extensions.Count;
        Row = new FocusRow { SourceFile = _source.File, SourceLine = _source.Line };
        Row.Extensions.EnsureCapacity(extensions); // rows of one file have about as many extension cells each
        return Row;
    }

    public bool Has(int id) => id >= 0 && !_source.Get(id).IsWhiteSpace();

    public ReadOnlySpan<char> Raw(int id) => id < 0 ? [] : _source.Get(id).Trim();

    /// <summary>The cell as a (cached) string, or null when empty or absent.</summary>
    public string? Str(int id)
    {
        var text = Raw(id);
        if (text.Length == 0)
        {
            return null;
        }

        Grow(id);
        return (_caches[id] ??= new StringCache(null)).Get(text, out _);
    }

    /// <summary>The cell as a decimal; null when empty; a row error when it is not a number.</summary>
    public decimal? Dec(int id)
    {
        var text = Raw(id);
        if (text.Length == 0)
        {
            return null;
        }

        if (NativeValues.TryParseDecimal(text, out var d))
        {
            return d;
        }

        Fail(id, text, $"'{IngestError.Shorten(text)}' is not a number (invariant culture, e.g. 1234.5 or 1.2E-05).");
        return null;
    }

    /// <summary>The cell as a decimal, 0 when empty.</summary>
    public decimal Dec0(int id) => Dec(id) ?? 0m;

    /// <summary>The cell as a UTC date-time; null when empty; a row error when it is not a date.</summary>
    public DateTime? Date(int id)
    {
        var text = Raw(id);
        if (text.Length == 0)
        {
            return null;
        }

        if (NativeValues.TryParseDate(text, out var d))
        {
            return d;
        }

        Fail(id, text, $"'{IngestError.Shorten(text)}' is not a date; expected ISO 8601 (2023-11-01T00:00:00Z) or month/day/year (9/2/2023).");
        return null;
    }

    /// <summary>A row error about cell <paramref name="id"/>.</summary>
    public void Fail(int id, ReadOnlySpan<char> value, string message) =>
        _errors.Add(Error(id >= 0 ? _source.Names[id] : null, IngestError.Shorten(value), message, _hint));

    /// <summary>A row error about the record as a whole.</summary>
    public void FailRecord(string message, string? hint) =>
        _errors.Add(Error(null, null, message, hint is null ? _hint : hint + " " + _hint));

    /// <summary>Sets Tags (raw JSON) and NormalizedTags.</summary>
    public void SetTags(string? json)
    {
        if (json is null)
        {
            return;
        }

        Row.Tags = json;
        Row.NormalizedTags = _tags.Normalize(json, out var notes);
        if ((notes & TagNotes.NotObject) != 0 && _report.Count(IngestWarningKind.JsonNotObject))
        {
            _report.SetFirst(new IngestWarning(IngestWarningKind.JsonNotObject, 0, IngestWarning.Describe(IngestWarningKind.JsonNotObject),
                _source.File, _source.Line, "Tags", IngestError.Shorten(json)));
        }
    }

    /// <summary>
    /// Enforces one billing currency per file: a second currency is fatal (the caller loads nothing of the file).
    /// </summary>
    public void CheckCurrency(int id, string? currency)
    {
        if (currency is null)
        {
            return;
        }

        if (_currency is null)
        {
            _currency = currency;
            _currencyLine = _source.Line;
            return;
        }

        if (!string.Equals(_currency, currency, StringComparison.Ordinal))
        {
            var column = id >= 0 ? _source.Names[id] : null;
            throw new IngestException(Error(column, currency,
                string.Create(CultureInfo.InvariantCulture,
                    $"The file mixes billing currencies: '{currency}' here but '{_currency}' on line {_currencyLine}. A {_formatName} export has one billing currency per file."),
                "Nothing of this file was loaded. Export each billing account or currency to its own file, or split the file by currency, and load again."));
        }
    }

    /// <summary>Finishes the row: keeps unmapped cells as extensions and checks required values. True when the row is good.</summary>
    public bool End()
    {
        var names = _source.Names;
        for (var id = 0; id < names.Count; id++)
        {
            Grow(id);
            if (_direct[id])
            {
                continue;
            }

            var text = _source.Get(id);
            if (text.Length == 0)
            {
                continue;
            }

            var key = _extensionKeys[id] ??= "x_" + names[id];
            Row.Extensions[key] = (_caches[id] ??= new StringCache(null)).Get(text, out _);
        }

        if (_errors.Count > 0)
        {
            return false;
        }

        foreach (var (ordinal, name) in Required)
        {
            if (Row.GetValue(FocusColumns.All[ordinal]) is null)
            {
                var from = RequiredSources.TryGetValue(name, out var s) ? s : "the source";
                _errors.Add(Error(null, null,
                    $"FOCUS {name} must not be null (it is needed to reconcile with the invoice), but {from} is empty or missing in this row.",
                    _hint));
            }
        }

        return _errors.Count == 0;
    }

    private IngestError Error(string? column, string? value, string message, string? hint) =>
        new(_source.File, _source.RowGroup is null ? _source.Line : 0, column, value, message, hint)
        {
            RowGroup = _source.RowGroup,
            Row = _source.RowInGroup,
        };

    private void Grow(int id)
    {
        if (id >= _direct.Length)
        {
            var n = Math.Max(id + 1, _direct.Length * 2);
            Array.Resize(ref _direct, n);
            Array.Resize(ref _caches, n);
            Array.Resize(ref _extensionKeys, n);
        }
    }
}
