using Dwcp.Core.Focus;

namespace Dwcp.Ingest.Native.Others;

/// <summary>
/// Alibaba Cloud bill details (instance bill, daily granularity) to FOCUS 1.2, with the field names of the BSS
/// OpenAPI <c>DescribeInstanceBill</c> response. See docs/mappings/alibaba.md.
/// </summary>
internal sealed class AlibabaBillMapper : NativeMapper
{
    private int _cycle, _date, _billAccount, _owner, _productCode, _productName, _subscription, _item, _instance, _nick;
    private int _region, _zone, _tag, _billingItem, _listPrice, _usage, _usageUnit, _gross, _discount, _coupons, _pretax, _currency;

    public override void Bind(NativeRowContext c)
    {
        _cycle = c.Id("BillingCycle");
        _date = c.Id("BillingDate");
        _billAccount = c.Id("BillAccountID");
        _owner = c.Id("OwnerID");
        _productCode = c.Id("ProductCode");
        _productName = c.Id("ProductName");
        _subscription = c.Id("SubscriptionType");
        _item = c.Id("Item");
        _instance = c.Id("InstanceID");
        _nick = c.Id("NickName");
        _region = c.Id("Region");
        _zone = c.Id("Zone");
        _tag = c.Id("Tag");
        _billingItem = c.Id("BillingItem");
        _listPrice = c.Id("ListPrice");
        _usage = c.Id("Usage");
        _usageUnit = c.Id("UsageUnit");
        _gross = c.Id("PretaxGrossAmount");
        _discount = c.Id("InvoiceDiscount");
        _coupons = c.Id("DeductedByCoupons");
        _pretax = c.Id("PretaxAmount");
        _currency = c.Id("Currency");
        c.Direct(_billAccount >= 0 ? _billAccount : _owner, _productName, _instance, _nick, _region, _zone, _billingItem, _listPrice,
            _usage, _usageUnit, _gross, _pretax, _currency);
        c.RequiredSources["BilledCost"] = c.RequiredSources["EffectiveCost"] = "PretaxAmount";
        c.RequiredSources["ListCost"] = "PretaxGrossAmount";
        c.RequiredSources["ContractedCost"] = "PretaxGrossAmount and InvoiceDiscount";
        c.RequiredSources["BillingAccountId"] = "BillAccountID or OwnerID";
        c.RequiredSources["BillingCurrency"] = "Currency";
        c.RequiredSources["BillingPeriodStart"] = c.RequiredSources["BillingPeriodEnd"] = "BillingCycle";
        c.RequiredSources["ChargePeriodStart"] = c.RequiredSources["ChargePeriodEnd"] = "BillingDate";
    }

    public override void Map(NativeRowContext c, FocusRow r)
    {
        r.BillingAccountId = c.Str(_billAccount) ?? c.Str(_owner);
        r.BillingAccountType = "Account";
        r.SubAccountId = c.Str(_owner);
        r.SubAccountType = r.SubAccountId is null ? null : "Account";
        var cycle = c.Raw(_cycle);
        if (!cycle.IsEmpty)
        {
            if (cycle.Length == 7 && NativeValues.TryParseDate(string.Concat(cycle, "-01"), out var month))
            {
                r.BillingPeriodStart = month;
                r.BillingPeriodEnd = month.AddMonths(1);
            }
            else
            {
                c.Fail(_cycle, cycle, $"'{cycle}' is not a billing cycle; expected YYYY-MM such as 2023-11.");
            }
        }

        r.ChargePeriodStart = c.Date(_date);
        r.ChargePeriodEnd = r.ChargePeriodStart?.AddDays(1);
        r.BillingCurrency = c.Str(_currency);
        c.CheckCurrency(_currency, r.BillingCurrency);
        r.ProviderName = r.PublisherName = r.InvoiceIssuerName = "Alibaba Cloud";
        r.ServiceName = c.Str(_productName) ?? c.Str(_productCode) ?? "Unknown";
        r.ServiceCategory = CategoryByKeyword((c.Str(_productCode) ?? "") + " " + r.ServiceName);
        r.ResourceId = c.Str(_instance);
        r.ResourceName = c.Str(_nick);
        r.RegionId = c.Str(_region);
        r.AvailabilityZone = c.Str(_zone);
        r.ChargeDescription = c.Str(_billingItem);
        r.ListUnitPrice = c.Dec(_listPrice);
        r.ConsumedQuantity = r.PricingQuantity = c.Dec(_usage);
        r.ConsumedUnit = r.PricingUnit = c.Str(_usageUnit);

        // PretaxAmount = gross - discount - coupons: what the bill charges (cash coupons and prepaid cards only pay it).
        var gross = c.Dec(_gross);
        var pretax = c.Dec(_pretax);
        r.BilledCost = r.EffectiveCost = pretax;
        r.ListCost = gross ?? pretax;
        r.ContractedCost = gross is { } g ? g - c.Dec0(_discount) : pretax;

        var item = c.Raw(_item);
        var subscription = c.Raw(_subscription).Equals("Subscription", StringComparison.OrdinalIgnoreCase);
        if (item.Equals("Refund", StringComparison.OrdinalIgnoreCase))
        {
            (r.ChargeCategory, r.ChargeClass, r.ChargeFrequency) = ("Purchase", "Correction", "One-Time");
        }
        else if (item.Equals("Adjustment", StringComparison.OrdinalIgnoreCase))
        {
            (r.ChargeCategory, r.ChargeFrequency) = ("Adjustment", "One-Time");
        }
        else if (item.Equals("SubscriptionOrder", StringComparison.OrdinalIgnoreCase) || subscription)
        {
            (r.ChargeCategory, r.ChargeFrequency, r.PricingCategory) = ("Purchase", "Recurring", null);
        }
        else
        {
            (r.ChargeCategory, r.ChargeFrequency, r.PricingCategory) = ("Usage", "Usage-Based", "Standard");
        }

        c.SetTags(Tags(c.Str(_tag)));
    }

    /// <summary>Alibaba tags: <c>key:env value:prod; key:team value:data</c>.</summary>
    internal static string? Tags(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var v = part.IndexOf(" value:", StringComparison.Ordinal);
            if (part.StartsWith("key:", StringComparison.Ordinal))
            {
                pairs.Add(v < 0 ? new(part[4..], "") : new(part[4..v], part[(v + 7)..]));
            }
        }

        return pairs.Count == 0 ? null : NativeValues.TagsJson(pairs);
    }
}
