namespace Dwcp.Ingest.Native;

/// <summary>The billing-export formats <see cref="BillingFileReader"/> understands (one per <c>--source-format</c> name).</summary>
public enum SourceFormat
{
    /// <summary>FOCUS 1.0–1.2 from any provider (<c>focus</c>).</summary>
    Focus,
    /// <summary>AWS legacy Cost and Usage Report, <c>lineItem/…</c> headers, CSV or CSV.gz (<c>aws-cur</c>).</summary>
    AwsCur,
    /// <summary>AWS CUR 2.0 Data Exports, snake_case <c>line_item_…</c> headers, CSV or Parquet (<c>aws-cur2</c>).</summary>
    AwsCur2,
    /// <summary>AWS Data Exports FOCUS (<c>aws-focus</c>).</summary>
    AwsFocus,
    /// <summary>Azure Enterprise Agreement cost details, actual or amortised (<c>azure-ea</c>).</summary>
    AzureEa,
    /// <summary>Azure Microsoft Customer Agreement cost details, actual or amortised (<c>azure-mca</c>).</summary>
    AzureMca,
    /// <summary>Azure Cost Management FOCUS export (<c>azure-focus</c>).</summary>
    AzureFocus,
    /// <summary>Google Cloud standard or detailed billing export, flattened CSV or newline-delimited JSON (<c>gcp</c>).</summary>
    Gcp,
    /// <summary>Oracle Cloud cost report, <c>lineItem/…</c>, <c>cost/…</c>, <c>product/…</c>, <c>tags/…</c> (<c>oci</c>).</summary>
    Oci,
    /// <summary>Oracle Cloud FOCUS report (<c>oci-focus</c>).</summary>
    OciFocus,
    /// <summary>IBM Cloud instance usage report, fields of the Usage Reports API v4 flattened per metric (<c>ibm</c>).</summary>
    Ibm,
    /// <summary>IBM Cloud FOCUS export (<c>ibm-focus</c>).</summary>
    IbmFocus,
    /// <summary>Alibaba Cloud bill details (instance bill), fields of the BSS DescribeInstanceBill API (<c>alibaba</c>).</summary>
    Alibaba,
    /// <summary>Alibaba Cloud FOCUS export (<c>alibaba-focus</c>).</summary>
    AlibabaFocus,
}

/// <summary>The stable names of <see cref="SourceFormat"/> values, as used by <c>--source-format</c>.</summary>
public static class SourceFormats
{
    private static readonly (SourceFormat Format, string Name, string Description)[] Table =
    [
        (SourceFormat.Focus, "focus", "FOCUS 1.0-1.2 (any provider)"),
        (SourceFormat.AwsCur, "aws-cur", "AWS legacy Cost and Usage Report (lineItem/... headers; CSV, CSV.gz)"),
        (SourceFormat.AwsCur2, "aws-cur2", "AWS CUR 2.0 Data Exports (line_item_... headers; CSV, CSV.gz, Parquet)"),
        (SourceFormat.AwsFocus, "aws-focus", "AWS Data Exports FOCUS"),
        (SourceFormat.AzureEa, "azure-ea", "Azure EA cost details, actual or amortized"),
        (SourceFormat.AzureMca, "azure-mca", "Azure MCA cost details, actual or amortized"),
        (SourceFormat.AzureFocus, "azure-focus", "Azure Cost Management FOCUS export"),
        (SourceFormat.Gcp, "gcp", "Google Cloud billing export (flattened CSV or newline-delimited JSON)"),
        (SourceFormat.Oci, "oci", "Oracle Cloud cost report"),
        (SourceFormat.OciFocus, "oci-focus", "Oracle Cloud FOCUS report"),
        (SourceFormat.Ibm, "ibm", "IBM Cloud instance usage report"),
        (SourceFormat.IbmFocus, "ibm-focus", "IBM Cloud FOCUS export"),
        (SourceFormat.Alibaba, "alibaba", "Alibaba Cloud bill details"),
        (SourceFormat.AlibabaFocus, "alibaba-focus", "Alibaba Cloud FOCUS export"),
    ];

    /// <summary>Every format, in the order above.</summary>
    public static IReadOnlyList<SourceFormat> All { get; } = [.. Table.Select(t => t.Format)];

    /// <summary>Every stable name, for help texts and error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Table.Select(t => t.Name)];

    /// <summary>The stable name of <paramref name="format"/>, e.g. <c>aws-cur</c>.</summary>
    public static string NameOf(SourceFormat format) =>
        Table.FirstOrDefault(t => t.Format == format).Name ?? throw new ArgumentOutOfRangeException(nameof(format), format, null);

    /// <summary>A one-line description of <paramref name="format"/>.</summary>
    public static string Describe(SourceFormat format) =>
        Table.FirstOrDefault(t => t.Format == format).Description ?? throw new ArgumentOutOfRangeException(nameof(format), format, null);

    /// <summary>True for the provider FOCUS formats and <see cref="SourceFormat.Focus"/> (read by <see cref="FocusFileReader"/>).</summary>
    public static bool IsFocus(SourceFormat format) => format is SourceFormat.Focus or SourceFormat.AwsFocus or
        SourceFormat.AzureFocus or SourceFormat.OciFocus or SourceFormat.IbmFocus or SourceFormat.AlibabaFocus;

    /// <summary>Finds a format by its stable name (case-insensitive, surrounding spaces ignored).</summary>
    public static bool TryParse(string? name, out SourceFormat format)
    {
        foreach (var t in Table)
        {
            if (string.Equals(t.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                format = t.Format;
                return true;
            }
        }

        format = default;
        return false;
    }

    /// <summary>The format named <paramref name="name"/>; the exception lists the valid names.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static SourceFormat Parse(string name) => TryParse(name, out var f)
        ? f
        : throw new ArgumentException($"'{name}' is not a known source format. Use one of: {string.Join(", ", Names)}.", nameof(name));
}
