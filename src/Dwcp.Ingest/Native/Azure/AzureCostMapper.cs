using Dwcp.Core.Focus;
using Dwcp.Ingest.Native.Sources;

namespace Dwcp.Ingest.Native.Azure;

/// <summary>
/// Azure cost details (EA and MCA, actual or amortized) to FOCUS 1.2. Column names are matched ignoring case, so the
/// EA spelling (<c>CostInBillingCurrency</c>, <c>Cost</c>) and the MCA one (<c>costInBillingCurrency</c>) both bind.
/// See docs/mappings/azure.md.
/// </summary>
internal sealed class AzureCostMapper(AzureCostKind kind) : NativeMapper
{
    private int _account, _accountName, _profile, _profileName, _billStart, _billEnd, _subscription, _subscriptionName, _date;
    private int _cost, _currency, _quantity, _unitPrice, _payg, _unit, _chargeType, _frequency, _pricingModel, _benefitId;
    private int _benefitName, _reservationId, _reservationName, _publisher, _product, _meterCategory, _meterSubCategory;
    private int _meterName, _partNumber, _productId, _location, _az, _resourceId, _resourceName, _tags, _invoiceId, _consumedService;
    private bool _mca;

    public override string Variant => kind == AzureCostKind.Amortized ? "amortized" : "actual";

    /// <summary>
    /// Actual or amortized: from the file name (<c>actual</c>, <c>amortized</c>/<c>amortised</c>), otherwise from the rows
    /// (unused-commitment rows or priced commitment-covered usage mean amortized; priced commitment purchases or free
    /// commitment-covered usage mean actual). A file with no commitment rows reads the same either way: actual.
    /// </summary>
    public static AzureCostKind DetectKind(string path, IngestFormat container, FocusReaderOptions options)
    {
        var name = Path.GetFileName(path);
        if (name.Contains("amortized", StringComparison.OrdinalIgnoreCase) || name.Contains("amortised", StringComparison.OrdinalIgnoreCase))
        {
            return AzureCostKind.Amortized;
        }

        if (name.Contains("actual", StringComparison.OrdinalIgnoreCase))
        {
            return AzureCostKind.Actual;
        }

        var scratch = new IngestReport(path, container, options.MaxErrors);
        using NativeSource source = container == IngestFormat.Parquet
            ? ParquetNativeSource.Open(path, scratch)
            : new CsvNativeSource(path, container, options, scratch);
        int chargeType = source.IdOf("ChargeType"), model = source.IdOf("PricingModel");
        var cost = source.IdOf("CostInBillingCurrency") is var c and >= 0 ? c : source.IdOf("Cost");
        while (source.Read(CancellationToken.None))
        {
            var type = source.Get(chargeType).Trim();
            if (type.Equals("UnusedReservation", StringComparison.OrdinalIgnoreCase) || type.Equals("UnusedSavingsPlan", StringComparison.OrdinalIgnoreCase))
            {
                return AzureCostKind.Amortized;
            }

            var pricing = source.Get(model).Trim();
            if (!IsCommitment(pricing))
            {
                continue;
            }

            var priced = NativeValues.TryParseDecimal(source.Get(cost), out var amount) && amount != 0;
            if (type.Equals("Usage", StringComparison.OrdinalIgnoreCase))
            {
                return priced ? AzureCostKind.Amortized : AzureCostKind.Actual;
            }

            if (type.Equals("Purchase", StringComparison.OrdinalIgnoreCase) && priced)
            {
                return AzureCostKind.Actual;
            }
        }

        return AzureCostKind.Actual;
    }

    private static bool IsCommitment(ReadOnlySpan<char> pricingModel) =>
        pricingModel.Equals("Reservation", StringComparison.OrdinalIgnoreCase) || pricingModel.Equals("SavingsPlan", StringComparison.OrdinalIgnoreCase);

    public override void Bind(NativeRowContext c)
    {
        _mca = c.Id("invoiceId", "previousInvoiceId", "customerTenantId", "customerName", "resellerName", "partnerEarnedCreditApplied") >= 0;
        _account = c.Id("BillingAccountId");
        _accountName = c.Id("BillingAccountName");
        _profile = c.Id("BillingProfileId");
        _profileName = c.Id("BillingProfileName");
        _billStart = c.Id("BillingPeriodStartDate");
        _billEnd = c.Id("BillingPeriodEndDate");
        _subscription = c.Id("SubscriptionId");
        _subscriptionName = c.Id("SubscriptionName");
        _date = c.Id("Date");
        _cost = c.Id("CostInBillingCurrency", "Cost");
        _currency = c.Id("BillingCurrency", "BillingCurrencyCode");
        _quantity = c.Id("Quantity");
        _unitPrice = c.Id("UnitPrice");
        _payg = c.Id("PayGPrice");
        _unit = c.Id("UnitOfMeasure");
        _chargeType = c.Id("ChargeType");
        _frequency = c.Id("Frequency");
        _pricingModel = c.Id("PricingModel");
        _benefitId = c.Id("benefitId");
        _benefitName = c.Id("benefitName");
        _reservationId = c.Id("ReservationId");
        _reservationName = c.Id("ReservationName");
        _publisher = c.Id("PublisherName");
        _product = c.Id("ProductName", "Product");
        _meterCategory = c.Id("MeterCategory");
        _meterSubCategory = c.Id("MeterSubCategory");
        _meterName = c.Id("MeterName");
        _partNumber = c.Id("PartNumber");
        _productId = c.Id("ProductId");
        _location = c.Id("ResourceLocation");
        _az = c.Id("AvailabilityZone");
        _resourceId = c.Id("ResourceId");
        _resourceName = c.Id("ResourceName");
        _tags = c.Id("Tags");
        _invoiceId = c.Id("invoiceId");
        _consumedService = c.Id("ConsumedService");

        // For MCA the invoice is per billing profile, so the profile is FOCUS's billing account (as in Microsoft's own
        // FOCUS export); for EA it is the enrolment (BillingAccountId).
        c.Direct(_mca ? _profile : _account, _mca ? _profileName : _accountName, _subscription, _subscriptionName, _currency,
            _unitPrice, _payg, _unit, _publisher, _product, _meterCategory, _meterName, _az, _resourceId, _resourceName, _tags,
            _invoiceId, _benefitId, _benefitName, _partNumber >= 0 ? _partNumber : _productId);
        c.RequiredSources["BilledCost"] = c.SourceNameOr(_cost, "CostInBillingCurrency");
        c.RequiredSources["EffectiveCost"] = c.SourceNameOr(_cost, "CostInBillingCurrency");
        c.RequiredSources["ListCost"] = c.SourceNameOr(_cost, "CostInBillingCurrency");
        c.RequiredSources["ContractedCost"] = c.SourceNameOr(_cost, "CostInBillingCurrency");
        c.RequiredSources["BillingAccountId"] = c.SourceNameOr(_mca ? _profile : _account, _mca ? "billingProfileId" : "BillingAccountId");
        c.RequiredSources["BillingCurrency"] = c.SourceNameOr(_currency, "BillingCurrency");
        c.RequiredSources["BillingPeriodStart"] = c.SourceNameOr(_billStart, "BillingPeriodStartDate");
        c.RequiredSources["BillingPeriodEnd"] = c.SourceNameOr(_billEnd, "BillingPeriodEndDate");
        c.RequiredSources["ChargePeriodStart"] = c.SourceNameOr(_date, "Date");
        c.RequiredSources["ChargePeriodEnd"] = c.SourceNameOr(_date, "Date");
    }

    public override void Map(NativeRowContext c, FocusRow r)
    {
        var chargeType = c.Str(_chargeType) ?? "Usage";
        var pricingModel = c.Str(_pricingModel);
        var commitment = pricingModel is not null && IsCommitment(pricingModel);
        var cost = c.Dec(_cost);
        var quantity = c.Dec(_quantity);

        r.BillingAccountId = _mca ? c.Str(_profile) ?? c.Str(_account) : c.Str(_account);
        r.BillingAccountName = _mca ? c.Str(_profileName) ?? c.Str(_accountName) : c.Str(_accountName);
        r.BillingAccountType = _mca ? "Billing Profile" : "Enrollment";
        r.SubAccountId = c.Str(_subscription);
        r.SubAccountName = c.Str(_subscriptionName);
        r.SubAccountType = r.SubAccountId is null ? null : "Subscription";
        r.BillingPeriodStart = c.Date(_billStart);
        // Azure gives the last day of the period (inclusive); FOCUS wants the exclusive end.
        r.BillingPeriodEnd = c.Date(_billEnd)?.Date.AddDays(1);
        r.ChargePeriodStart = c.Date(_date);
        r.ChargePeriodEnd = r.ChargePeriodStart?.AddDays(1);
        r.BillingCurrency = c.Str(_currency);
        c.CheckCurrency(_currency, r.BillingCurrency);
        r.InvoiceId = c.Str(_invoiceId);
        r.InvoiceIssuerName = "Microsoft";
        r.ProviderName = "Microsoft";
        r.PublisherName = c.Str(_publisher) ?? "Microsoft";
        r.ChargeDescription = c.Str(_product);
        r.ServiceName = c.Str(_meterCategory) ?? c.Str(_consumedService) ?? "Unknown";
        r.ServiceSubcategory = null;
        r.ServiceCategory = ServiceCategoryOf(r.ServiceName);
        r.SkuId = c.Str(_partNumber) ?? c.Str(_productId);
        r.SkuMeter = c.Str(_meterName);
        r.AvailabilityZone = c.Str(_az);
        r.RegionId = RegionId(c.Raw(_location));
        r.ResourceId = c.Str(_resourceId);
        r.ResourceName = c.Str(_resourceName);
        r.PricingUnit = c.Str(_unit);
        r.PricingQuantity = quantity;
        r.ContractedUnitPrice = c.Dec(_unitPrice);
        r.ListUnitPrice = c.Dec(_payg);

        var (category, chargeClass) = chargeType switch
        {
            "Usage" or "UnusedReservation" or "UnusedSavingsPlan" => ("Usage", (string?)null),
            "Purchase" => ("Purchase", null),
            "Refund" => ("Purchase", "Correction"),
            "Tax" => ("Tax", null),
            "Credit" => ("Credit", null),
            _ => ("Adjustment", null), // RoundingAdjustment and anything new
        };
        r.ChargeCategory = category;
        r.ChargeClass = chargeClass;
        r.ChargeFrequency = c.Raw(_frequency) switch
        {
            var f when f.Equals("UsageBased", StringComparison.OrdinalIgnoreCase) => "Usage-Based",
            var f when f.Equals("Recurring", StringComparison.OrdinalIgnoreCase) => "Recurring",
            var f when f.Equals("OneTime", StringComparison.OrdinalIgnoreCase) => "One-Time",
            _ => category == "Usage" ? "Usage-Based" : "One-Time",
        };
        if (category == "Usage")
        {
            r.ConsumedQuantity = quantity;
            r.ConsumedUnit = r.PricingUnit;
        }

        var unused = chargeType is "UnusedReservation" or "UnusedSavingsPlan";
        var coveredUsage = commitment && chargeType == "Usage";
        var commitmentPurchase = commitment && chargeType is "Purchase" or "Refund";
        if (kind == AzureCostKind.Amortized)
        {
            // Amortized rows spread the commitment over the usage it covered (and the unused rest); that money was
            // invoiced with the purchase, which the amortized file leaves out, so these rows bill nothing.
            r.BilledCost = coveredUsage || unused ? 0m : cost;
            r.EffectiveCost = commitmentPurchase ? 0m : cost;
        }
        else
        {
            // Actual cost has no amortization to offer: the effective cost is what was billed.
            r.BilledCost = cost;
            r.EffectiveCost = cost;
        }

        var payg = r.ListUnitPrice;
        r.ListCost = payg is > 0 && quantity is { } q1 && category == "Usage" && !unused ? payg.Value * q1 : cost;
        r.ContractedCost = r.ContractedUnitPrice is > 0 && quantity is { } q2 && category == "Usage" && !unused ? r.ContractedUnitPrice.Value * q2 : cost;

        r.PricingCategory = category != "Usage" ? null : pricingModel switch
        {
            "Spot" => "Dynamic",
            "Reservation" or "SavingsPlan" => "Committed",
            _ => "Standard",
        };
        if (commitment || unused)
        {
            var savingsPlan = pricingModel == "SavingsPlan" || chargeType == "UnusedSavingsPlan";
            r.CommitmentDiscountId = c.Str(_benefitId) ?? c.Str(_reservationId);
            r.CommitmentDiscountName = c.Str(_benefitName) ?? c.Str(_reservationName);
            r.CommitmentDiscountCategory = savingsPlan ? "Spend" : "Usage";
            r.CommitmentDiscountType = savingsPlan ? "Savings Plan" : "Reservation";
            if (category == "Usage")
            {
                r.CommitmentDiscountStatus = unused ? "Unused" : "Used";
            }
        }

        c.SetTags(TagsJson(c.Str(_tags)));
    }

    /// <summary>Azure delivers tags as the inside of a JSON object (<c>"a": "1","b": "2"</c>); braces are added when missing.</summary>
    internal static string? TagsJson(string? tags)
    {
        if (tags is null)
        {
            return null;
        }

        var t = tags.Trim();
        return t.Length == 0 ? null : t[0] == '{' ? t : "{" + t + "}";
    }

    private static string? RegionId(ReadOnlySpan<char> location)
    {
        if (location.IsEmpty)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[location.Length];
        var n = 0;
        foreach (var ch in location)
        {
            if (ch != ' ')
            {
                buffer[n++] = char.ToLowerInvariant(ch);
            }
        }

        return new string(buffer[..n]);
    }

    private static string ServiceCategoryOf(string service) => service switch
    {
        "Virtual Machines" or "Virtual Machines Licenses" or "Azure App Service" or "Functions" or "Container Instances" or
            "Azure Kubernetes Service" or "Cloud Services" or "Batch" => Category.Compute,
        "Storage" or "Backup" or "Azure NetApp Files" => Category.Storage,
        "SQL Database" or "Azure Cosmos DB" or "Azure Database for PostgreSQL" or "Azure Database for MySQL" or "Redis Cache" or
            "SQL Managed Instance" => Category.Databases,
        "Virtual Network" or "Bandwidth" or "Load Balancer" or "VPN Gateway" or "Azure DNS" or "Application Gateway" or
            "Azure Front Door Service" or "Content Delivery Network" or "Network Watcher" or "Azure Firewall" => Category.Networking,
        "Log Analytics" or "Azure Monitor" or "Insight and Analytics" or "Advanced Threat Protection" => Category.Management,
        "Azure Synapse Analytics" or "Azure Data Factory v2" or "Azure Databricks" or "Event Hubs" or "Azure Data Explorer" => Category.Analytics,
        "Key Vault" or "Microsoft Defender for Cloud" or "Sentinel" => Category.Security,
        "Service Bus" or "Logic Apps" or "API Management" or "Event Grid" => Category.Integration,
        "Azure Machine Learning" or "Cognitive Services" or "Azure OpenAI Service" => Category.Ai,
        _ => CategoryByKeyword(service),
    };
}
