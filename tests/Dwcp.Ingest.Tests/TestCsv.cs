using System.Text;

namespace Dwcp.Ingest.Tests;

/// <summary>Builds small FOCUS CSV files for tests, independently of the code under test.</summary>
internal static class TestCsv
{
    /// <summary>The 21 mandatory FOCUS columns, spelled out here rather than taken from the catalogue.</summary>
    public static readonly string[] Mandatory =
    [
        "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
        "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost",
        "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
        "ServiceCategory", "ServiceName",
    ];

    /// <summary>A good row for <see cref="Mandatory"/>, with BilledCost = <paramref name="billed"/>.</summary>
    public static Dictionary<string, string> Row(string billed = "1.25") => new(StringComparer.OrdinalIgnoreCase)
    {
        ["BilledCost"] = billed,
        ["BillingAccountId"] = "acct-1",
        ["BillingAccountName"] = "Main",
        ["BillingCurrency"] = "USD",
        ["BillingPeriodEnd"] = "2024-10-01T00:00:00Z",
        ["BillingPeriodStart"] = "2024-09-01T00:00:00Z",
        ["ChargeCategory"] = "Usage",
        ["ChargeClass"] = "",
        ["ChargeDescription"] = "Compute hours",
        ["ChargePeriodEnd"] = "2024-09-02T00:00:00Z",
        ["ChargePeriodStart"] = "2024-09-01T00:00:00Z",
        ["ContractedCost"] = "1.20",
        ["EffectiveCost"] = "1.10",
        ["InvoiceIssuerName"] = "Cloud Inc.",
        ["ListCost"] = "1.50",
        ["PricingQuantity"] = "3",
        ["PricingUnit"] = "Hours",
        ["ProviderName"] = "Cloud",
        ["PublisherName"] = "Cloud",
        ["ServiceCategory"] = "Compute",
        ["ServiceName"] = "VMs",
    };

    /// <summary>One CSV line (no line break) for <paramref name="header"/>, quoting values that need it.</summary>
    public static string Line(IEnumerable<string> header, IReadOnlyDictionary<string, string> values) =>
        string.Join(",", header.Select(h => Quote(values.TryGetValue(h.Trim(), out var v) ? v : "")));

    public static string Quote(string v) =>
        v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;

    /// <summary>A whole file: header line plus one line per row, joined by <paramref name="newline"/>.</summary>
    public static string File(IReadOnlyList<string> header, IEnumerable<IReadOnlyDictionary<string, string>> rows, string newline = "\n") =>
        string.Join(newline, new[] { string.Join(",", header.Select(Quote)) }.Concat(rows.Select(r => Line(header, r)))) + newline;

    public static string Write(string content, string name = "focus.csv", Encoding? encoding = null)
    {
        var path = Path.Combine(Dwcp.Tests.RepoPaths.NewTempDir(), name);
        System.IO.File.WriteAllText(path, content, encoding ?? new UTF8Encoding(false));
        return path;
    }

    /// <summary>Reads every row; returns the rows and the report.</summary>
    public static (List<Dwcp.Core.Focus.FocusRow> Rows, IngestReport Report) ReadAll(string path, FocusReaderOptions? options = null)
    {
        using var reader = FocusFileReader.Open(path, options);
        var rows = reader.ReadRows().ToList();
        return (rows, reader.Report);
    }
}
