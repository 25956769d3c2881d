using System.Globalization;
using Dwcp.Core.Focus;

namespace Dwcp.Ingest;

/// <summary>How a source column is stored in a <see cref="FocusRow"/>.</summary>
internal enum BindingKind : byte
{
    String,
    Decimal,
    DateTime,
    Json,
    Tags,
    Extension,
}

/// <summary>What a null in a column means.</summary>
internal enum NullPolicy : byte
{
    Allowed,
    Warn,
    Error,
}

/// <summary>One source column: its header name and where its cells go.</summary>
internal sealed class ColumnBinding
{
    private static readonly HashSet<string> NullIsError = new(StringComparer.Ordinal)
    {
        "BilledCost", "EffectiveCost", "ListCost", "BillingAccountId", "BillingCurrency",
        "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
    };

    // ContractedCost belongs in the error list by the FOCUS text, but the FinOps Foundation sample leaves it NULL on
    // its 7 Oracle rows; rejecting those rows would change the billed total, so a null is a warning.
    private static readonly HashSet<string> NullIsWarning = new(StringComparer.Ordinal)
    {
        "ContractedCost", "ChargeCategory", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
        "InvoiceIssuerName",
    };

    private ColumnBinding(string headerName, FocusColumn? focus, BindingKind kind)
    {
        HeaderName = headerName;
        Focus = focus;
        Kind = kind;
        Slot = focus?.Slot ?? -1;
        NullPolicy = focus is null ? NullPolicy.Allowed
            : NullIsError.Contains(focus.Name) ? NullPolicy.Error
            : NullIsWarning.Contains(focus.Name) ? NullPolicy.Warn
            : NullPolicy.Allowed;
        if (kind is BindingKind.String or BindingKind.Json or BindingKind.Tags or BindingKind.Extension)
        {
            Cache = new StringCache(focus is null ? null : AllowedValues.For(focus));
        }
    }

    /// <summary>A binding that keeps a column as extension text (used by the native readers for Parquet).</summary>
    internal static ColumnBinding Extension(string headerName) => new(headerName, null, BindingKind.Extension);

    /// <summary>The header cell as delivered (the extension key for non-FOCUS columns).</summary>
    public string HeaderName { get; }

    /// <summary>The FOCUS column, or null for an extension column.</summary>
    public FocusColumn? Focus { get; }

    public BindingKind Kind { get; }

    public int Slot { get; }

    public NullPolicy NullPolicy { get; }

    public StringCache? Cache { get; }

    /// <summary>
    /// Maps header names to columns. Throws <see cref="IngestException"/> for a duplicate column or missing mandatory
    /// columns.
    /// </summary>
    public static ColumnBinding[] MapHeader(IReadOnlyList<string> names, string file, long line, IngestReport report)
    {
        var bindings = new ColumnBinding[names.Count];
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var trimmed = name.Trim();
            if (trimmed.Length == 0)
            {
                name = trimmed = "column" + (i + 1).ToString(CultureInfo.InvariantCulture);
                if (report.Count(IngestWarningKind.EmptyColumnName))
                {
                    report.SetFirst(new IngestWarning(IngestWarningKind.EmptyColumnName, 0,
                        IngestWarning.Describe(IngestWarningKind.EmptyColumnName), file, line, name, null));
                }
            }

            FocusColumns.TryFind(trimmed, out var focus);
            var key = focus?.Name ?? trimmed;
            if (seen.TryGetValue(key, out var first))
            {
                throw new IngestException(new IngestError(file, line, name, null,
                    $"The header has column '{trimmed}' twice (columns {first + 1} and {i + 1}; names are compared ignoring case and surrounding spaces).",
                    "Remove or rename one of the two columns, then load the file again."));
            }

            seen[key] = i;
            var kind = focus is null ? BindingKind.Extension : focus.DataType switch
            {
                FocusDataType.Decimal => BindingKind.Decimal,
                FocusDataType.DateTime => BindingKind.DateTime,
                FocusDataType.Json when focus.Name == "Tags" => BindingKind.Tags,
                FocusDataType.Json => BindingKind.Json,
                _ => BindingKind.String,
            };
            bindings[i] = new ColumnBinding(name, focus, kind);
        }

        var missing = FocusColumns.Mandatory.Where(c => !seen.ContainsKey(c.Name)).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            throw new IngestException(new IngestError(file, line, null, null,
                $"The header is missing {missing.Count} mandatory FOCUS column{(missing.Count == 1 ? "" : "s")}: {string.Join(", ", missing)}.",
                "FOCUS 1.0, 1.1 and 1.2 all require the same 21 columns; check that the file is a FOCUS export (not a native " +
                "cost-and-usage report) and that its first line is the header."));
        }

        return bindings;
    }
}
