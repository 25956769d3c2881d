using Dwcp.Core.Focus;

namespace Dwcp.Ingest.Native.Others;

/// <summary>Oracle Cloud Infrastructure cost report to FOCUS 1.2. See docs/mappings/oci.md.</summary>
internal sealed class OciCostMapper : NativeMapper
{
    private int _tenant, _start, _end, _service, _compartment, _compartmentName, _region, _ad, _resource, _quantity;
    private int _sku, _description, _unitPrice, _myCost, _currency, _skuUnit, _isCorrection;
    private (int Id, string Key)[] _tagColumns = [];

    public override void Bind(NativeRowContext c)
    {
        _tenant = c.Id("lineItem/tenantId");
        _start = c.Id("lineItem/intervalUsageStart");
        _end = c.Id("lineItem/intervalUsageEnd");
        _service = c.Id("product/service");
        _compartment = c.Id("product/compartmentId");
        _compartmentName = c.Id("product/compartmentName");
        _region = c.Id("product/region");
        _ad = c.Id("product/availabilityDomain");
        _resource = c.Id("product/resourceId");
        _quantity = c.Id("usage/billedQuantity");
        _sku = c.Id("cost/productSku");
        _description = c.Id("product/Description");
        _unitPrice = c.Id("cost/unitPrice");
        _myCost = c.Id("cost/myCost");
        _currency = c.Id("cost/currencyCode");
        _skuUnit = c.Id("cost/skuUnitDescription");
        _isCorrection = c.Id("lineItem/isCorrection");
        var tags = new List<(int, string)>();
        for (var i = 0; i < c.SourceNames.Count; i++)
        {
            if (c.SourceNames[i].StartsWith("tags/", StringComparison.OrdinalIgnoreCase))
            {
                tags.Add((i, c.SourceNames[i]["tags/".Length..]));
                c.Direct(i);
            }
        }

        _tagColumns = [.. tags];
        c.Direct(_tenant, _start, _end, _service, _compartment, _compartmentName, _region, _ad, _resource, _quantity, _sku,
            _description, _unitPrice, _myCost, _currency, _skuUnit);
        foreach (var money in new[] { "BilledCost", "EffectiveCost", "ListCost", "ContractedCost" })
        {
            c.RequiredSources[money] = "cost/myCost";
        }

        c.RequiredSources["BillingAccountId"] = "lineItem/tenantId";
        c.RequiredSources["BillingCurrency"] = "cost/currencyCode";
        c.RequiredSources["BillingPeriodStart"] = c.RequiredSources["ChargePeriodStart"] = "lineItem/intervalUsageStart";
        c.RequiredSources["BillingPeriodEnd"] = "lineItem/intervalUsageStart";
        c.RequiredSources["ChargePeriodEnd"] = "lineItem/intervalUsageEnd";
    }

    public override void Map(NativeRowContext c, FocusRow r)
    {
        var cost = c.Dec(_myCost);
        var quantity = c.Dec(_quantity);
        r.BillingAccountId = c.Str(_tenant);
        r.BillingAccountType = "Tenancy";
        r.SubAccountId = c.Str(_compartment);
        r.SubAccountName = c.Str(_compartmentName);
        r.SubAccountType = r.SubAccountId is null ? null : "Compartment";
        r.ChargePeriodStart = c.Date(_start);
        r.ChargePeriodEnd = c.Date(_end);
        if (r.ChargePeriodStart is { } start)
        {
            // The report has no billing period; OCI invoices calendar months (UTC). A correction carries the interval
            // of the usage it corrects, so it lands in that usage's period.
            r.BillingPeriodStart = NativeValues.MonthStart(start);
            r.BillingPeriodEnd = r.BillingPeriodStart.Value.AddMonths(1);
        }

        r.BillingCurrency = c.Str(_currency);
        c.CheckCurrency(_currency, r.BillingCurrency);
        r.ProviderName = r.PublisherName = r.InvoiceIssuerName = "Oracle";
        r.ServiceName = c.Str(_service) ?? "Unknown";
        r.ServiceCategory = r.ServiceName switch
        {
            "COMPUTE" or "CONTAINER_ENGINE" or "FUNCTIONS" => Category.Compute,
            "BLOCK_STORAGE" or "OBJECTSTORE" or "FILE_STORAGE" => Category.Storage,
            "DATABASE" or "MYSQL" or "NOSQL" => Category.Databases,
            "NETWORK" or "LOAD_BALANCER" or "DNS" or "FASTCONNECT" => Category.Networking,
            "TELEMETRY" or "LOGGING" or "MONITORING" => Category.Management,
            "ORACLE_STREAMING_SERVICE" or "NOTIFICATIONS" => Category.Integration,
            _ => CategoryByKeyword(r.ServiceName),
        };
        r.RegionId = c.Str(_region);
        r.AvailabilityZone = c.Str(_ad);
        r.ResourceId = c.Str(_resource);
        r.SkuId = c.Str(_sku);
        r.ChargeDescription = c.Str(_description);
        r.ContractedUnitPrice = c.Dec(_unitPrice);
        r.PricingUnit = r.ConsumedUnit = c.Str(_skuUnit);
        r.PricingQuantity = r.ConsumedQuantity = quantity;
        r.BilledCost = r.EffectiveCost = r.ContractedCost = r.ListCost = cost;
        r.ChargeCategory = "Usage";
        r.ChargeFrequency = "Usage-Based";
        r.PricingCategory = "Standard";
        if (c.Raw(_isCorrection).Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            r.ChargeClass = "Correction";
        }

        List<KeyValuePair<string, string>>? pairs = null;
        foreach (var (id, key) in _tagColumns)
        {
            if (c.Str(id) is { } value)
            {
                (pairs ??= []).Add(new(key, value));
            }
        }

        c.SetTags(pairs is null ? null : NativeValues.TagsJson(pairs));
    }
}
