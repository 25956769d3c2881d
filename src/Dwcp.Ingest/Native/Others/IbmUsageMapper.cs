using Dwcp.Core.Focus;

namespace Dwcp.Ingest.Native.Others;

/// <summary>
/// IBM Cloud instance usage report to FOCUS 1.2: one row per resource instance and metric per month, with the field
/// names of the IBM Cloud Usage Reports API v4 (<c>resource_instances/usage</c>). See docs/mappings/ibm.md.
/// </summary>
internal sealed class IbmUsageMapper : NativeMapper
{
    private int _account, _group, _groupName, _instance, _instanceName, _serviceId, _service, _region, _plan, _month, _currency;
    private int _billable, _metric, _metricName, _unit, _unitName, _quantity, _rateable, _cost, _ratedCost;

    public override void Bind(NativeRowContext c)
    {
        _account = c.Id("account_id");
        _group = c.Id("resource_group_id");
        _groupName = c.Id("resource_group_name");
        _instance = c.Id("resource_instance_id");
        _instanceName = c.Id("resource_instance_name");
        _serviceId = c.Id("resource_id");
        _service = c.Id("resource_name");
        _region = c.Id("region");
        _plan = c.Id("plan_id");
        _month = c.Id("month");
        _currency = c.Id("currency_code");
        _billable = c.Id("billable");
        _metric = c.Id("metric");
        _metricName = c.Id("metric_name");
        _unit = c.Id("unit");
        _unitName = c.Id("unit_name");
        _quantity = c.Id("quantity");
        _rateable = c.Id("rateable_quantity");
        _cost = c.Id("cost");
        _ratedCost = c.Id("rated_cost");
        c.Direct(_account, _group, _groupName, _instance, _instanceName, _service, _region, _plan, _currency, _metric,
            _metricName, _unit, _quantity, _rateable, _ratedCost);
        c.RequiredSources["BilledCost"] = c.RequiredSources["EffectiveCost"] = c.RequiredSources["ContractedCost"] = "cost";
        c.RequiredSources["ListCost"] = "rated_cost";
        c.RequiredSources["BillingAccountId"] = "account_id";
        c.RequiredSources["BillingCurrency"] = "currency_code";
        foreach (var period in new[] { "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd" })
        {
            c.RequiredSources[period] = "month";
        }
    }

    public override void Map(NativeRowContext c, FocusRow r)
    {
        r.BillingAccountId = c.Str(_account);
        r.BillingAccountType = "Account";
        r.SubAccountId = c.Str(_group);
        r.SubAccountName = c.Str(_groupName);
        r.SubAccountType = r.SubAccountId is null ? null : "Resource Group";
        var month = c.Raw(_month);
        if (!month.IsEmpty)
        {
            // "2023-11" (the API's billing month); a full date is accepted too.
            if (NativeValues.TryParseDate(month.Length == 7 ? string.Concat(month, "-01") : month, out var d))
            {
                r.BillingPeriodStart = r.ChargePeriodStart = NativeValues.MonthStart(d);
                r.BillingPeriodEnd = r.ChargePeriodEnd = r.BillingPeriodStart.Value.AddMonths(1);
            }
            else
            {
                c.Fail(_month, month, $"'{month}' is not a billing month; expected YYYY-MM such as 2023-11.");
            }
        }

        r.BillingCurrency = c.Str(_currency);
        c.CheckCurrency(_currency, r.BillingCurrency);
        r.ProviderName = r.PublisherName = r.InvoiceIssuerName = "IBM";
        r.ResourceId = c.Str(_instance);
        r.ResourceName = c.Str(_instanceName);
        r.ServiceName = c.Str(_service) ?? c.Str(_serviceId) ?? "Unknown";
        r.ServiceCategory = CategoryByKeyword(r.ServiceName);
        r.RegionId = c.Str(_region);
        r.SkuId = c.Str(_plan);
        r.SkuMeter = c.Str(_metric);
        r.ChargeDescription = c.Str(_metricName) ?? r.SkuMeter;
        r.ConsumedQuantity = c.Dec(_quantity);
        r.ConsumedUnit = c.Str(_unit);
        r.PricingQuantity = c.Dec(_rateable) ?? r.ConsumedQuantity;
        r.PricingUnit = c.Str(_unitName) ?? r.ConsumedUnit;
        r.ChargeCategory = "Usage";
        r.ChargeFrequency = "Usage-Based";
        r.PricingCategory = "Standard";

        // cost is after discounts; rated_cost before. A non-billable instance (billable=false) is not invoiced.
        var cost = c.Dec(_cost);
        var billable = !c.Raw(_billable).Equals("false", StringComparison.OrdinalIgnoreCase);
        r.BilledCost = r.EffectiveCost = billable ? cost : cost is null ? null : 0m;
        r.ContractedCost = cost;
        r.ListCost = c.Dec(_ratedCost) ?? cost;
    }
}
