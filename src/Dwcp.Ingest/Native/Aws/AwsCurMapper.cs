using System.Text;
using Dwcp.Core.Focus;

namespace Dwcp.Ingest.Native.Aws;

/// <summary>
/// AWS Cost and Usage Report to FOCUS 1.2, for the legacy CUR (<c>lineItem/UnblendedCost</c>) and CUR 2.0
/// (<c>line_item_unblended_cost</c>): one mapping written with legacy names, CUR 2.0 names derived from them.
/// See docs/mappings/aws-cur.md.
/// </summary>
internal sealed class AwsCurMapper(bool cur2) : NativeMapper
{
    private int _payer, _payerName, _billStart, _billEnd, _billType, _invoiceId, _invoicingEntity, _usageAccount, _usageAccountName;
    private int _type, _start, _end, _productCode, _usageType, _az, _usageAmount, _currency, _rate, _unblended, _description;
    private int _legalEntity, _resourceId, _productName, _region, _regionCode, _location, _sku, _rateId, _rateCode, _pricingCurrency;
    private int _publicCost, _publicRate, _term, _unit, _riArn, _riEffective, _riUnusedUpfront, _riUnusedRecurring, _spArn;
    private int _spEffective, _spTotalCommitment, _spUsedCommitment, _resourceTags;
    private (int Id, string Key)[] _tagColumns = [];

    public override void Bind(NativeRowContext c)
    {
        int Id(string legacy) => c.Id(cur2 ? AwsNames.ToCur2(legacy) : legacy);
        _payer = Id("bill/PayerAccountId");
        _payerName = Id("bill/PayerAccountName");
        _billStart = Id("bill/BillingPeriodStartDate");
        _billEnd = Id("bill/BillingPeriodEndDate");
        _billType = Id("bill/BillType");
        _invoiceId = Id("bill/InvoiceId");
        _invoicingEntity = Id("bill/InvoicingEntity");
        _usageAccount = Id("lineItem/UsageAccountId");
        _usageAccountName = Id("lineItem/UsageAccountName");
        _type = Id("lineItem/LineItemType");
        _start = Id("lineItem/UsageStartDate");
        _end = Id("lineItem/UsageEndDate");
        _productCode = Id("lineItem/ProductCode");
        _usageType = Id("lineItem/UsageType");
        _az = Id("lineItem/AvailabilityZone");
        _usageAmount = Id("lineItem/UsageAmount");
        _currency = Id("lineItem/CurrencyCode");
        _rate = Id("lineItem/UnblendedRate");
        _unblended = Id("lineItem/UnblendedCost");
        _description = Id("lineItem/LineItemDescription");
        _legalEntity = Id("lineItem/LegalEntity");
        _resourceId = Id("lineItem/ResourceId");
        _productName = Id("product/ProductName");
        _region = Id("product/region");
        _regionCode = Id("product/regionCode");
        _location = Id("product/location");
        _sku = Id("product/sku");
        _rateId = Id("pricing/RateId");
        _rateCode = Id("pricing/RateCode");
        _pricingCurrency = Id("pricing/currency");
        _publicCost = Id("pricing/publicOnDemandCost");
        _publicRate = Id("pricing/publicOnDemandRate");
        _term = Id("pricing/term");
        _unit = Id("pricing/unit");
        _riArn = Id("reservation/ReservationARN");
        _riEffective = Id("reservation/EffectiveCost");
        _riUnusedUpfront = Id("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod");
        _riUnusedRecurring = Id("reservation/UnusedRecurringFee");
        _spArn = Id("savingsPlan/SavingsPlanARN");
        _spEffective = Id("savingsPlan/SavingsPlanEffectiveCost");
        _spTotalCommitment = Id("savingsPlan/TotalCommitmentToDate");
        _spUsedCommitment = Id("savingsPlan/UsedCommitment");
        _resourceTags = cur2 ? c.Id("resource_tags") : -1;

        var names = new List<(int, string)>();
        for (var i = 0; !cur2 && i < c.SourceNames.Count; i++)
        {
            var name = c.SourceNames[i];
            if (name.StartsWith("resourceTags/", StringComparison.OrdinalIgnoreCase))
            {
                names.Add((i, name["resourceTags/".Length..]));
                c.Direct(i);
            }
        }

        _tagColumns = [.. names];
        c.Direct(_payer, _payerName, _billStart, _billEnd, _invoiceId, _invoicingEntity, _usageAccount, _usageAccountName, _start,
            _end, _az, _usageAmount, _currency, _unblended, _description, _legalEntity, _resourceId, _productName,
            _location, _sku, _rateId, _pricingCurrency, _publicCost, _publicRate, _unit, _resourceTags);
        c.Direct(_regionCode >= 0 ? _regionCode : _region);
        c.RequiredSources["BilledCost"] = Name(c, _unblended, "lineItem/UnblendedCost");
        c.RequiredSources["EffectiveCost"] = "the amortised cost column of this line item type";
        c.RequiredSources["ListCost"] = Name(c, _publicCost, "pricing/publicOnDemandCost");
        c.RequiredSources["ContractedCost"] = Name(c, _unblended, "lineItem/UnblendedCost");
        c.RequiredSources["BillingAccountId"] = Name(c, _payer, "bill/PayerAccountId");
        c.RequiredSources["BillingCurrency"] = Name(c, _currency, "lineItem/CurrencyCode");
        c.RequiredSources["BillingPeriodStart"] = Name(c, _billStart, "bill/BillingPeriodStartDate");
        c.RequiredSources["BillingPeriodEnd"] = Name(c, _billEnd, "bill/BillingPeriodEndDate");
        c.RequiredSources["ChargePeriodStart"] = Name(c, _start, "lineItem/UsageStartDate");
        c.RequiredSources["ChargePeriodEnd"] = Name(c, _end, "lineItem/UsageEndDate");
    }

    private string Name(NativeRowContext c, int id, string legacy) => id >= 0 ? c.SourceNames[id] : cur2 ? AwsNames.ToCur2(legacy) : legacy;

    public override void Map(NativeRowContext c, FocusRow r)
    {
        var type = c.Str(_type) ?? "Usage";
        var productCode = c.Str(_productCode);
        var unblended = c.Dec(_unblended);
        var usage = c.Dec(_usageAmount);
        var isSupport = productCode is not null && (productCode.StartsWith("AWSSupport", StringComparison.OrdinalIgnoreCase) ||
                                                    productCode.Equals("OCBPremiumSupport", StringComparison.OrdinalIgnoreCase));

        r.BillingAccountId = c.Str(_payer);
        r.BillingAccountName = c.Str(_payerName);
        r.SubAccountId = c.Str(_usageAccount);
        r.SubAccountName = c.Str(_usageAccountName);
        r.SubAccountType = r.SubAccountId is null ? null : "AWS Account";
        r.BillingAccountType = "AWS Payer Account";
        r.BillingPeriodStart = c.Date(_billStart);
        r.BillingPeriodEnd = c.Date(_billEnd);
        r.ChargePeriodStart = c.Date(_start);
        r.ChargePeriodEnd = c.Date(_end);
        r.BillingCurrency = c.Str(_currency);
        c.CheckCurrency(_currency, r.BillingCurrency);
        r.InvoiceId = c.Str(_invoiceId);
        r.InvoiceIssuerName = c.Str(_invoicingEntity) ?? "Amazon Web Services";
        r.ProviderName = "AWS";
        r.PublisherName = c.Str(_legalEntity) ?? "Amazon Web Services";
        r.ChargeDescription = c.Str(_description);
        r.AvailabilityZone = c.Str(_az);
        r.RegionId = c.Str(_regionCode) ?? c.Str(_region);
        r.RegionName = c.Str(_location);
        r.ResourceId = c.Str(_resourceId);
        r.SkuId = c.Str(_sku);
        r.SkuPriceId = c.Str(_rateId) ?? c.Str(_rateCode);
        r.PricingCurrency = c.Str(_pricingCurrency);
        r.ServiceName = isSupport ? "Support" : c.Str(_productName) ?? productCode ?? "Unknown";
        if (isSupport && c.Str(_productName) is { } supportProduct)
        {
            r.Extensions["x_" + c.SourceNames[_productName]] = supportProduct; // ServiceName is "Support", so keep the name
        }

        r.ServiceCategory = isSupport ? Category.Management : ServiceCategoryOf(productCode, r.ServiceName);
        r.PricingUnit = c.Str(_unit);
        r.ConsumedUnit = r.PricingUnit;

        // Money. BilledCost is what the invoice charges: the unblended cost, for every line item type.
        r.BilledCost = unblended;
        r.ContractedCost = unblended;
        r.ContractedUnitPrice = c.Dec(_rate);
        r.ListUnitPrice = c.Dec(_publicRate);
        r.ListCost = c.Dec(_publicCost) ?? unblended;
        r.EffectiveCost = type switch
        {
            "DiscountedUsage" => c.Dec(_riEffective),
            "SavingsPlanCoveredUsage" => c.Dec(_spEffective),
            "SavingsPlanNegation" or "SavingsPlanUpfrontFee" => 0m,
            "SavingsPlanRecurringFee" => c.Dec0(_spTotalCommitment) - c.Dec0(_spUsedCommitment),
            "RIFee" => c.Dec0(_riUnusedUpfront) + c.Dec0(_riUnusedRecurring),
            "Fee" when c.Has(_riArn) => 0m,
            _ => unblended,
        };
        if (type is "DiscountedUsage" or "SavingsPlanCoveredUsage")
        {
            // Covered usage is invoiced through the commitment fee; its contracted cost is the on-demand equivalent.
            r.ContractedCost = type == "DiscountedUsage" ? r.ListCost : unblended;
        }

        var (category, frequency) = type switch
        {
            "Usage" or "DiscountedUsage" or "SavingsPlanCoveredUsage" or "SavingsPlanNegation" => ("Usage", "Usage-Based"),
            "Tax" => ("Tax", "Recurring"),
            "RIFee" or "SavingsPlanRecurringFee" => ("Purchase", "Recurring"),
            "Fee" or "SavingsPlanUpfrontFee" => ("Purchase", "One-Time"),
            "Credit" or "Refund" => ("Credit", "One-Time"),
            _ when type.EndsWith("Discount", StringComparison.Ordinal) => ("Usage", "Usage-Based"),
            _ => ("Adjustment", "One-Time"),
        };
        if (isSupport && type == "Fee")
        {
            (category, frequency) = ("Usage", "Recurring");
        }

        r.ChargeCategory = category;
        r.ChargeFrequency = frequency;
        var billType = c.Raw(_billType);
        if (type == "Refund" || billType.Equals("Refund", StringComparison.OrdinalIgnoreCase))
        {
            r.ChargeClass = "Correction";
        }

        if (category == "Usage")
        {
            r.ConsumedQuantity = usage;
            r.PricingQuantity = usage;
        }
        else
        {
            r.PricingQuantity = usage;
        }

        // Commitments.
        var spArn = c.Str(_spArn);
        var riArn = c.Str(_riArn);
        if (spArn is not null && type.StartsWith("SavingsPlan", StringComparison.Ordinal))
        {
            r.CommitmentDiscountId = spArn;
            r.CommitmentDiscountCategory = "Spend";
            r.CommitmentDiscountType = "Savings Plan";
        }
        else if (riArn is not null && type is "DiscountedUsage" or "RIFee" or "Fee")
        {
            r.CommitmentDiscountId = riArn;
            r.CommitmentDiscountCategory = "Usage";
            r.CommitmentDiscountType = "Reserved Instance";
        }

        if (type is "DiscountedUsage" or "SavingsPlanCoveredUsage")
        {
            r.CommitmentDiscountStatus = "Used";
        }

        if (category == "Usage" && r.ChargeClass is null)
        {
            var term = c.Raw(_term);
            r.PricingCategory = type is "DiscountedUsage" or "SavingsPlanCoveredUsage" or "SavingsPlanNegation" || term.Equals("Reserved", StringComparison.OrdinalIgnoreCase)
                ? "Committed"
                : c.Raw(_usageType).Contains("SpotUsage", StringComparison.OrdinalIgnoreCase) ? "Dynamic" : "Standard";
        }

        c.SetTags(Tags(c));
    }

    private string? Tags(NativeRowContext c)
    {
        if (cur2)
        {
            var json = c.Str(_resourceTags);
            return json is null or "{}" ? null : json;
        }

        List<KeyValuePair<string, string>>? pairs = null;
        foreach (var (id, key) in _tagColumns)
        {
            if (c.Str(id) is { } value)
            {
                (pairs ??= []).Add(new(key, value));
            }
        }

        return pairs is null ? null : NativeValues.TagsJson(pairs);
    }

    private static string ServiceCategoryOf(string? productCode, string? serviceName) => productCode switch
    {
        "AmazonEC2" or "AWSLambda" or "AmazonECS" or "AmazonEKS" or "AmazonLightsail" or "AWSBatch" or "AmazonECR" => Category.Compute,
        "AmazonS3" or "AmazonEFS" or "AmazonFSx" or "AWSBackup" or "AmazonGlacier" or "AWSStorageGateway" => Category.Storage,
        "AmazonRDS" or "AmazonDynamoDB" or "AmazonElastiCache" or "AmazonRedshift" or "AmazonDocDB" or "AmazonNeptune" => Category.Databases,
        "AmazonVPC" or "AWSDataTransfer" or "AmazonCloudFront" or "AmazonRoute53" or "AWSELB" or "AWSDirectConnect" => Category.Networking,
        "AWSGlue" or "AmazonAthena" or "AmazonKinesis" or "AmazonQuickSight" or "AmazonES" or "ElasticMapReduce" => Category.Analytics,
        "AmazonSageMaker" or "AmazonBedrock" or "AmazonRekognition" or "comprehend" => Category.Ai,
        "awskms" or "AWSSecretsManager" or "AmazonGuardDuty" or "AWSShield" or "awswaf" or "AWSSecurityHub" => Category.Security,
        "AWSQueueService" or "AmazonSNS" or "AmazonStates" or "AmazonEventBridge" or "AmazonApiGateway" or "AmazonMQ" => Category.Integration,
        "AmazonCloudWatch" or "AWSCloudTrail" or "AWSConfig" or "AWSCloudShell" or "AWSSystemsManager" or "AWSCostExplorer" => Category.Management,
        "AWSIoT" => Category.Iot,
        "AWSMigrationHubRefactorSpaces" or "AWSDatabaseMigrationSvc" or "AWSApplicationMigrationSvc" => Category.Migration,
        "AWSCodeCommit" or "AWSCodeBuild" or "AWSCodePipeline" or "AWSCodeArtifact" => Category.Developer,
        "AmazonCognito" or "AWSDirectoryService" => Category.Identity,
        _ => CategoryByKeyword(serviceName ?? productCode),
    };
}

/// <summary>AWS column-name conventions.</summary>
internal static class AwsNames
{
    /// <summary>
    /// The CUR 2.0 name of a legacy CUR column: each part in snake case, joined by <c>_</c>
    /// (<c>lineItem/UnblendedCost</c> → <c>line_item_unblended_cost</c>, <c>savingsPlan/SavingsPlanARN</c> →
    /// <c>savings_plan_savings_plan_arn</c>).
    /// </summary>
    public static string ToCur2(string legacy)
    {
        var sb = new StringBuilder(legacy.Length + 8);
        foreach (var part in legacy.Split('/'))
        {
            if (sb.Length > 0)
            {
                sb.Append('_');
            }

            for (var i = 0; i < part.Length; i++)
            {
                var ch = part[i];
                if (char.IsUpper(ch))
                {
                    var prevLower = i > 0 && (char.IsLower(part[i - 1]) || char.IsDigit(part[i - 1]));
                    var acronymEnd = i > 0 && char.IsUpper(part[i - 1]) && i + 1 < part.Length && char.IsLower(part[i + 1]);
                    if (prevLower || acronymEnd)
                    {
                        sb.Append('_');
                    }

                    sb.Append(char.ToLowerInvariant(ch));
                }
                else
                {
                    sb.Append(ch);
                }
            }
        }

        return sb.ToString();
    }
}
