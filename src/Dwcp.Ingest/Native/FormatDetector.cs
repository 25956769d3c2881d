using System.Globalization;
using Dwcp.Core.Focus;
using Dwcp.Ingest.Native.Aws;

namespace Dwcp.Ingest.Native;

/// <summary>
/// Recognises a billing format from its header: each format has expected columns (each a set of accepted
/// spellings, compared ignoring case); a format matches when all are present. Provider FOCUS exports are told apart by
/// their extension columns; Azure EA and MCA by MCA-only columns.
/// </summary>
internal static class FormatDetector
{
    private static readonly string[] AwsLegacy =
    [
        "bill/PayerAccountId", "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate", "lineItem/LineItemType",
        "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/CurrencyCode", "lineItem/UnblendedCost",
    ];

    private static readonly (SourceFormat Format, string[][] Expected)[] Signatures =
    [
        (SourceFormat.Focus, [.. FocusColumns.Mandatory.Select(c => new[] { c.Name })]),
        (SourceFormat.AwsCur, [.. AwsLegacy.Select(n => new[] { n })]),
        (SourceFormat.AwsCur2, [.. AwsLegacy.Select(n => new[] { AwsNames.ToCur2(n) })]),
        (SourceFormat.AzureEa, Azure()),
        (SourceFormat.AzureMca, [.. Azure(), ["invoiceId", "previousInvoiceId", "customerTenantId", "customerName", "resellerName", "partnerEarnedCreditApplied"]]),
        (SourceFormat.Gcp, [["billing_account_id"], ["cost"], ["currency"], ["usage_start_time"], ["usage_end_time"], ["service.description", "service.id"], ["invoice.month"]]),
        (SourceFormat.Oci, [["lineItem/tenantId"], ["lineItem/intervalUsageStart"], ["lineItem/intervalUsageEnd"], ["product/service"], ["cost/myCost"], ["cost/currencyCode"]]),
        (SourceFormat.Ibm, [["account_id"], ["resource_instance_id"], ["month"], ["metric"], ["cost"], ["currency_code"], ["resource_name", "resource_id"]]),
        (SourceFormat.Alibaba, [["BillingCycle"], ["BillingDate"], ["ProductCode"], ["InstanceID"], ["PretaxAmount"], ["Currency"], ["Item"]]),
    ];

    // MCA before EA (its signature is EA's plus an MCA-only column); FOCUS last, so a native export that happens to
    // carry FOCUS-named columns is still read natively.
    private static readonly SourceFormat[] Priority =
    [
        SourceFormat.AzureMca, SourceFormat.AzureEa, SourceFormat.AwsCur, SourceFormat.AwsCur2, SourceFormat.Oci, SourceFormat.Gcp,
        SourceFormat.Ibm, SourceFormat.Alibaba, SourceFormat.Focus,
    ];

    private static string[][] Azure() =>
    [
        ["BillingAccountId"], ["BillingPeriodStartDate"], ["BillingPeriodEndDate"], ["SubscriptionId"], ["Date"],
        ["MeterCategory"], ["ChargeType"], ["Cost", "CostInBillingCurrency"], ["BillingCurrency", "BillingCurrencyCode"],
    ];

    /// <summary>Detects the format of <paramref name="header"/>, or throws an error naming the closest match.</summary>
    public static SourceFormat Detect(IReadOnlyList<string> header, string file)
    {
        var names = new HashSet<string>(header.Select(h => h.Trim()), StringComparer.OrdinalIgnoreCase);
        foreach (var format in Priority)
        {
            if (Missing(names, Signatures.First(s => s.Format == format).Expected).Count == 0)
            {
                return format == SourceFormat.Focus ? RefineFocus(names) : format;
            }
        }

        var scored = Signatures
            .Select(s => (s.Format, Present: s.Expected.Length - Missing(names, s.Expected).Count, Total: s.Expected.Length, Missing: Missing(names, s.Expected)))
            .OrderByDescending(s => (double)s.Present / s.Total)
            .ToList();
        var best = scored[0];
        var tried = string.Join(", ", scored.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"{SourceFormats.NameOf(s.Format)} {s.Present}/{s.Total}")));
        throw new IngestException(new IngestError(file, 1, null, null,
            string.Create(CultureInfo.InvariantCulture,
                $"The header matches none of the supported billing formats (expected columns found: {tried}). Closest match: {SourceFormats.NameOf(best.Format)}, missing {string.Join(", ", best.Missing)}."),
            "Check that the first line is the header of a billing export in one of these formats, or name the format with --source-format " +
            $"({string.Join(", ", SourceFormats.Names)})."));
    }

    /// <summary>Checks that <paramref name="header"/> has what <paramref name="format"/> needs (when given with --source-format).</summary>
    public static void Require(SourceFormat format, IReadOnlyList<string> header, string file)
    {
        var signatureFormat = SourceFormats.IsFocus(format) ? SourceFormat.Focus : format;
        var expected = Signatures.First(s => s.Format == signatureFormat).Expected;
        if (format == SourceFormat.AzureMca)
        {
            expected = Azure(); // an MCA file named explicitly need not carry the MCA-only columns
        }

        var names = new HashSet<string>(header.Select(h => h.Trim()), StringComparer.OrdinalIgnoreCase);
        var missing = Missing(names, expected);
        if (missing.Count > 0)
        {
            throw new IngestException(new IngestError(file, 1, null, null,
                string.Create(CultureInfo.InvariantCulture,
                    $"The source format {SourceFormats.NameOf(format)} was requested, but the header lacks {missing.Count} of its {expected.Length} expected columns: {string.Join(", ", missing)}."),
                "Check the --source-format value, or leave it out to detect the format from the header."));
        }
    }

    private static List<string> Missing(HashSet<string> names, string[][] expected) =>
        [.. expected.Where(alternatives => !alternatives.Any(names.Contains)).Select(a => string.Join(" or ", a))];

    private static SourceFormat RefineFocus(HashSet<string> names)
    {
        if (names.Any(n => n.StartsWith("oci_", StringComparison.OrdinalIgnoreCase)))
        {
            return SourceFormat.OciFocus;
        }

        if (names.Overlaps(["x_SkuMeterCategory", "x_BilledCostInUsd", "x_ResourceGroupName", "x_BillingProfileId", "x_AccountName"]))
        {
            return SourceFormat.AzureFocus;
        }

        if (names.Overlaps(["x_ServiceCode", "x_UsageType", "x_Operation", "x_Discounts", "x_CostCategories"]))
        {
            return SourceFormat.AwsFocus;
        }

        return SourceFormat.Focus;
    }
}
