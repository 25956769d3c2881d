using System.Globalization;
using System.Text.Json;
using Dwcp.Core.Focus;

namespace Dwcp.Ingest.Native.Gcp;

/// <summary>
/// Google Cloud billing export (standard or detailed) to FOCUS 1.2, from the flattened CSV (<c>service.description</c>,
/// <c>labels</c> and <c>credits</c> as JSON arrays) or newline-delimited JSON (nested objects flattened the same way).
/// One FOCUS row per source row; credits are netted into BilledCost and EffectiveCost. See docs/mappings/gcp.md.
/// </summary>
internal sealed class GcpBillingMapper : NativeMapper
{
    private int _account, _serviceId, _service, _sku, _skuDescription, _start, _end, _project, _projectName, _labels, _region;
    private int _location, _zone, _resourceName, _resourceGlobal, _cost, _currency, _usageAmount, _usageUnit, _pricingAmount;
    private int _pricingUnit, _credits, _invoiceMonth, _costType, _effectivePrice, _costAtList, _seller;

    public override void Bind(NativeRowContext c)
    {
        _account = c.Id("billing_account_id");
        _serviceId = c.Id("service.id");
        _service = c.Id("service.description");
        _sku = c.Id("sku.id");
        _skuDescription = c.Id("sku.description");
        _start = c.Id("usage_start_time");
        _end = c.Id("usage_end_time");
        _project = c.Id("project.id");
        _projectName = c.Id("project.name");
        _labels = c.Id("labels");
        _region = c.Id("location.region");
        _location = c.Id("location.location");
        _zone = c.Id("location.zone");
        _resourceName = c.Id("resource.name");
        _resourceGlobal = c.Id("resource.global_name");
        _cost = c.Id("cost");
        _currency = c.Id("currency");
        _usageAmount = c.Id("usage.amount");
        _usageUnit = c.Id("usage.unit");
        _pricingAmount = c.Id("usage.amount_in_pricing_units");
        _pricingUnit = c.Id("usage.pricing_unit");
        _credits = c.Id("credits");
        _invoiceMonth = c.Id("invoice.month");
        _costType = c.Id("cost_type");
        _effectivePrice = c.Id("price.effective_price");
        _costAtList = c.Id("cost_at_list");
        _seller = c.Id("seller_name");
        c.Direct(_account, _service, _sku, _skuDescription, _start, _end, _project, _projectName, _labels, _region, _zone,
            _resourceName, _resourceGlobal, _cost, _currency, _usageAmount, _usageUnit, _pricingAmount, _pricingUnit,
            _effectivePrice, _costAtList, _seller);
        c.RequiredSources["BilledCost"] = c.RequiredSources["EffectiveCost"] = "cost (plus credits)";
        c.RequiredSources["ListCost"] = c.RequiredSources["ContractedCost"] = "cost";
        c.RequiredSources["BillingAccountId"] = "billing_account_id";
        c.RequiredSources["BillingCurrency"] = "currency";
        c.RequiredSources["BillingPeriodStart"] = c.RequiredSources["BillingPeriodEnd"] = "invoice.month";
        c.RequiredSources["ChargePeriodStart"] = "usage_start_time";
        c.RequiredSources["ChargePeriodEnd"] = "usage_end_time";
    }

    public override void Map(NativeRowContext c, FocusRow r)
    {
        var cost = c.Dec(_cost);
        r.BillingAccountId = c.Str(_account);
        r.BillingAccountType = "Billing Account";
        r.SubAccountId = c.Str(_project);
        r.SubAccountName = c.Str(_projectName);
        r.SubAccountType = r.SubAccountId is null ? null : "Project";
        r.ChargePeriodStart = c.Date(_start);
        r.ChargePeriodEnd = c.Date(_end);
        if (InvoiceMonth(c) is { } period)
        {
            (r.BillingPeriodStart, r.BillingPeriodEnd) = period;
        }

        r.BillingCurrency = c.Str(_currency);
        c.CheckCurrency(_currency, r.BillingCurrency);
        r.ProviderName = r.InvoiceIssuerName = "Google Cloud";
        r.PublisherName = c.Str(_seller) ?? "Google Cloud";
        r.ServiceName = c.Str(_service) ?? c.Str(_serviceId) ?? "Unknown";
        r.ServiceCategory = ServiceCategoryOf(r.ServiceName);
        r.SkuId = c.Str(_sku);
        r.ChargeDescription = c.Str(_skuDescription);
        r.RegionId = c.Str(_region) ?? c.Str(_location);
        r.AvailabilityZone = c.Str(_zone);
        r.ResourceName = c.Str(_resourceName);
        r.ResourceId = c.Str(_resourceGlobal) ?? r.ResourceName;
        r.ConsumedQuantity = c.Dec(_usageAmount);
        r.ConsumedUnit = c.Str(_usageUnit);
        r.PricingQuantity = c.Dec(_pricingAmount);
        r.PricingUnit = c.Str(_pricingUnit);
        r.ContractedUnitPrice = c.Dec(_effectivePrice);

        var (creditSum, committedCredit) = Credits(c);
        r.BilledCost = cost + creditSum;
        r.EffectiveCost = r.BilledCost;
        r.ContractedCost = cost;
        r.ListCost = c.Dec(_costAtList) ?? cost;

        var costType = c.Raw(_costType);
        var description = r.ChargeDescription ?? "";
        var cudFee = description.StartsWith("Commitment", StringComparison.OrdinalIgnoreCase);
        if (costType.Equals("tax", StringComparison.OrdinalIgnoreCase))
        {
            (r.ChargeCategory, r.ChargeFrequency) = ("Tax", "Recurring");
        }
        else if (costType.Equals("adjustment", StringComparison.OrdinalIgnoreCase))
        {
            (r.ChargeCategory, r.ChargeClass, r.ChargeFrequency) = ("Credit", "Correction", "One-Time");
        }
        else if (costType.Equals("rounding_error", StringComparison.OrdinalIgnoreCase))
        {
            (r.ChargeCategory, r.ChargeFrequency) = ("Adjustment", "One-Time");
        }
        else if (cudFee)
        {
            (r.ChargeCategory, r.ChargeFrequency) = ("Purchase", "Recurring");
            r.CommitmentDiscountType = "Committed Use Discount";
            r.CommitmentDiscountCategory = description.Contains("dollar based", StringComparison.OrdinalIgnoreCase) ? "Spend" : "Usage";
            r.CommitmentDiscountName = description;
        }
        else
        {
            (r.ChargeCategory, r.ChargeFrequency) = ("Usage", "Usage-Based");
            r.PricingCategory = committedCredit ? "Committed" : "Standard";
            if (committedCredit)
            {
                r.CommitmentDiscountType = "Committed Use Discount";
                r.CommitmentDiscountStatus = "Used";
            }
        }

        c.SetTags(Labels(c));
    }

    /// <summary>
    /// GCP invoice months (<c>202311</c>) are calendar months in US Pacific time: the period starts at 00:00 Pacific on the
    /// 1st, which is 07:00 UTC from April to November (PDT) and 08:00 UTC from December to March (PST).
    /// </summary>
    private (DateTime Start, DateTime End)? InvoiceMonth(NativeRowContext c)
    {
        var text = c.Raw(_invoiceMonth);
        if (text.IsEmpty)
        {
            return null;
        }

        if (text.Length != 6 || !int.TryParse(text[..4], NumberStyles.None, CultureInfo.InvariantCulture, out var year) ||
            !int.TryParse(text[4..], NumberStyles.None, CultureInfo.InvariantCulture, out var month) || month is < 1 or > 12 || year < 2000)
        {
            c.Fail(_invoiceMonth, text, $"'{text}' is not an invoice month; expected YYYYMM such as 202311.");
            return null;
        }

        var start = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = start.AddMonths(1);
        return (start.AddHours(PacificOffsetHours(start.Month)), end.AddHours(PacificOffsetHours(end.Month)));
    }

    /// <summary>Hours to add to midnight on the 1st of <paramref name="month"/> in US Pacific time to get UTC (US rules since 2007).</summary>
    internal static int PacificOffsetHours(int month) => month is >= 4 and <= 11 ? 7 : 8;

    private (decimal Sum, bool Committed) Credits(NativeRowContext c)
    {
        var text = c.Str(_credits);
        if (text is null || text == "[]")
        {
            return (0m, false);
        }

        decimal sum = 0;
        var committed = false;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                c.Fail(_credits, text, "credits is not a JSON array of {name, amount, type} objects.");
                return (0m, false);
            }

            foreach (var credit in doc.RootElement.EnumerateArray())
            {
                if (credit.ValueKind != JsonValueKind.Object || !credit.TryGetProperty("amount", out var amount) ||
                    !NativeValues.TryParseDecimal(amount.ValueKind == JsonValueKind.String ? amount.GetString() : amount.GetRawText(), out var value))
                {
                    c.Fail(_credits, text, "A credit has no numeric amount.");
                    return (0m, false);
                }

                sum += value;
                if (credit.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String &&
                    type.GetString()!.StartsWith("COMMITTED_USAGE_DISCOUNT", StringComparison.Ordinal))
                {
                    committed = true;
                }
            }
        }
        catch (JsonException ex)
        {
            c.Fail(_credits, text, $"credits is not valid JSON ({ex.Message}).");
        }

        return (sum, committed);
    }

    private string? Labels(NativeRowContext c)
    {
        var text = c.Str(_labels);
        if (text is null || text == "[]")
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                return text;
            }

            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var label in doc.RootElement.EnumerateArray())
            {
                if (label.ValueKind == JsonValueKind.Object && label.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String)
                {
                    var v = label.TryGetProperty("value", out var val) ? val.ValueKind == JsonValueKind.String ? val.GetString()! : val.GetRawText() : "";
                    pairs.Add(new(k.GetString()!, v));
                }
            }

            return pairs.Count == 0 ? null : NativeValues.TagsJson(pairs);
        }
        catch (JsonException ex)
        {
            c.Fail(_labels, text, $"labels is not valid JSON ({ex.Message}); expected an array of {{key, value}} objects.");
            return null;
        }
    }

    private static string ServiceCategoryOf(string service) => service switch
    {
        "Compute Engine" or "Kubernetes Engine" or "Cloud Run" or "Cloud Functions" or "App Engine" => Category.Compute,
        "Cloud Storage" or "Filestore" => Category.Storage,
        "Cloud SQL" or "Cloud Spanner" or "Cloud Bigtable" or "Firestore" or "Memorystore for Redis" => Category.Databases,
        "Networking" or "Cloud DNS" or "Cloud CDN" or "Cloud Load Balancing" => Category.Networking,
        "BigQuery" or "Dataflow" or "Dataproc" or "Pub/Sub" => service == "Pub/Sub" ? Category.Integration : Category.Analytics,
        "Cloud Logging" or "Cloud Monitoring" or "Support" => Category.Management,
        "Vertex AI" or "Cloud Vision API" or "Gemini API" => Category.Ai,
        "Secret Manager" or "Cloud Key Management Service (KMS)" => Category.Security,
        _ => CategoryByKeyword(service),
    };
}
