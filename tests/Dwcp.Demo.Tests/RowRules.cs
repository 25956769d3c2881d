using System.Text.Json;
using Dwcp.Core;
using Dwcp.Core.Focus;

namespace Dwcp.Demo.Tests;

/// <summary>A rule every generated row must satisfy; <see cref="Check"/> yields one message per violation.</summary>
public sealed record RowRule(string Name, Func<FocusRow, IEnumerable<string>> Check);

/// <summary>The per-row FOCUS rules the fixture applies to every row of the seed-42 run.</summary>
public static class RowRules
{
    public const string MandatoryNotNull = nameof(MandatoryNotNull);
    public const string UsageListCoversEffective = nameof(UsageListCoversEffective);
    public const string CostsFollowUnitPrices = nameof(CostsFollowUnitPrices);
    public const string MoneyHasAtMostTenDecimals = nameof(MoneyHasAtMostTenDecimals);
    public const string AllowedValues = nameof(AllowedValues);
    public const string PeriodsAreUtcDaysAndMonths = nameof(PeriodsAreUtcDaysAndMonths);
    public const string TagsMatchNormalizedTags = nameof(TagsMatchNormalizedTags);
    public const string NoEmptyStrings = nameof(NoEmptyStrings);
    public const string QuantitiesAreConsistent = nameof(QuantitiesAreConsistent);
    public const string UsdAndCanonicalProvider = nameof(UsdAndCanonicalProvider);

    private static readonly HashSet<string> ChargeCategories = ["Usage", "Purchase", "Tax", "Credit", "Adjustment"];
    private static readonly HashSet<string> PricingCategories = ["Standard", "Dynamic", "Committed", "Other"];
    private static readonly HashSet<string> ChargeFrequencies = ["One-Time", "Recurring", "Usage-Based"];
    private static readonly HashSet<string> TagKeys = ["Department", "Project", "Environment", "Owner"];

    /// <summary>The FOCUS 1.2 ServiceCategory values.</summary>
    public static readonly HashSet<string> ServiceCategories =
    [
        "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases", "Developer Tools", "Multicloud",
        "Identity", "Integration", "Internet of Things", "Management and Governance", "Media", "Migration", "Mobile", "Networking",
        "Security", "Storage", "Web", "Other",
    ];

    /// <summary>The FOCUS ServiceSubcategory values (introduced in 1.1) by their parent ServiceCategory.</summary>
    public static readonly Dictionary<string, string[]> Subcategories = new()
    {
        ["AI and Machine Learning"] = ["Bots", "Generative AI", "Machine Learning", "Natural Language Processing", "Other (AI and Machine Learning)"],
        ["Analytics"] = ["Analytics Platform", "Business Intelligence", "Data Processing", "Search", "Streaming Analytics", "Other (Analytics)"],
        ["Business Applications"] = ["Other (Business Applications)"],
        ["Compute"] = ["Containers", "End User Computing", "Quantum", "Serverless Compute", "Virtual Machines", "Other (Compute)"],
        ["Databases"] = ["Caching", "Data Warehouse", "Relational", "NoSQL", "Ledger", "Time Series", "Other (Databases)"],
        ["Developer Tools"] = ["Other (Developer Tools)"],
        ["Identity"] = ["Other (Identity)"],
        ["Integration"] = ["API Management", "Messaging", "Workflow Automation", "Other (Integration)"],
        ["Internet of Things"] = ["Other (Internet of Things)"],
        ["Management and Governance"] = ["Administration", "Architecture", "Compliance", "Cost Management", "Data Governance", "Disaster Recovery",
            "Observability", "Support", "Other (Management and Governance)"],
        ["Media"] = ["Other (Media)"],
        ["Migration"] = ["Other (Migration)"],
        ["Mobile"] = ["Other (Mobile)"],
        ["Multicloud"] = ["Other (Multicloud)"],
        ["Networking"] = ["Content Delivery", "Data Transfer", "Load Balancing", "Network Management", "Network Security", "Other (Networking)"],
        ["Security"] = ["CSPM", "Credentials", "SIEM", "Threat Detection", "Other (Security)"],
        ["Storage"] = ["Backups", "Bulk Transfer", "Disk", "Files", "Object Storage", "Other (Storage)"],
        ["Web"] = ["Other (Web)"],
        ["Other"] = ["Other (Other)"],
    };

    private static readonly string[] MoneyColumns = ["BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ListUnitPrice", "ContractedUnitPrice"];

    public static IReadOnlyList<RowRule> All { get; } =
    [
        new(MandatoryNotNull, row => FocusColumns.Mandatory.Where(c => !c.AllowsNulls && row.GetValue(c) is null).Select(c => $"{c.Name} is null")),
        new(UsageListCoversEffective, row => row.ChargeCategory == "Usage" && row.ListCost < row.EffectiveCost
            ? [$"ListCost {row.ListCost} < EffectiveCost {row.EffectiveCost}"] : []),
        new(CostsFollowUnitPrices, CostsFollowPrices),
        new(MoneyHasAtMostTenDecimals, row => MoneyColumns.Select(FocusColumns.Get)
            .Where(c => row.GetValue(c) is decimal d && d.Scale > 10).Select(c => $"{c.Name} = {row.GetValue(c)}")),
        new(AllowedValues, Allowed),
        new(PeriodsAreUtcDaysAndMonths, Periods),
        new(TagsMatchNormalizedTags, TagsMatch),
        new(NoEmptyStrings, row => FocusColumns.All.Where(c => row.GetValue(c) is string s && s.Trim().Length == 0).Select(c => $"{c.Name} is empty")),
        new(QuantitiesAreConsistent, Quantities),
        new(UsdAndCanonicalProvider, row =>
        {
            var problems = new List<string>();
            if (row.BillingCurrency != "USD")
            {
                problems.Add($"BillingCurrency {row.BillingCurrency}");
            }

            var provider = CloudProviders.FromProviderName(row.ProviderName);
            if (provider == CloudProvider.Other || CloudProviders.CanonicalName(provider) != row.ProviderName)
            {
                problems.Add($"ProviderName {row.ProviderName}");
            }

            return problems;
        }),
    ];

    private static IEnumerable<string> CostsFollowPrices(FocusRow row)
    {
        if (row.ListUnitPrice is { } list && Math.Abs(list * row.PricingQuantity!.Value - row.ListCost!.Value) > 0.0000000001m)
        {
            yield return $"ListCost {row.ListCost} != {list} x {row.PricingQuantity}";
        }

        if (row.ContractedUnitPrice is { } contracted && Math.Abs(contracted * row.PricingQuantity!.Value - row.ContractedCost!.Value) > 0.0000000001m)
        {
            yield return $"ContractedCost {row.ContractedCost} != {contracted} x {row.PricingQuantity}";
        }

        if (row.ChargeCategory == "Usage" && row.CommitmentDiscountStatus is null && row.BilledCost != row.EffectiveCost)
        {
            yield return $"uncommitted usage has BilledCost {row.BilledCost} and EffectiveCost {row.EffectiveCost}";
        }
    }

    private static IEnumerable<string> Allowed(FocusRow row)
    {
        if (!ChargeCategories.Contains(row.ChargeCategory!))
        {
            yield return $"ChargeCategory {row.ChargeCategory}";
        }

        if (row.PricingCategory is { } pricing && !PricingCategories.Contains(pricing))
        {
            yield return $"PricingCategory {pricing}";
        }

        if (row.ChargeFrequency is not { } frequency || !ChargeFrequencies.Contains(frequency))
        {
            yield return $"ChargeFrequency {row.ChargeFrequency}";
        }

        if (row.ChargeCategory == "Purchase" && row.ChargeFrequency == "Usage-Based")
        {
            yield return "a Purchase is Usage-Based";
        }

        if (row.CommitmentDiscountStatus is { } status && status is not ("Used" or "Unused"))
        {
            yield return $"CommitmentDiscountStatus {status}";
        }

        if (row.CommitmentDiscountCategory is { } category && category is not ("Spend" or "Usage"))
        {
            yield return $"CommitmentDiscountCategory {category}";
        }

        if (!ServiceCategories.Contains(row.ServiceCategory!))
        {
            yield return $"ServiceCategory {row.ServiceCategory}";
        }
        else if (row.ServiceSubcategory is not { } sub || !Subcategories[row.ServiceCategory!].Contains(sub))
        {
            yield return $"ServiceSubcategory {row.ServiceSubcategory} under {row.ServiceCategory}";
        }

        if (row.ChargeClass is not null)
        {
            yield return $"ChargeClass {row.ChargeClass}";
        }
    }

    private static IEnumerable<string> Periods(FocusRow row)
    {
        var start = row.ChargePeriodStart!.Value;
        var end = row.ChargePeriodEnd!.Value;
        var billingStart = row.BillingPeriodStart!.Value;
        DateTime[] all = [start, end, billingStart, row.BillingPeriodEnd!.Value];
        if (all.Any(t => t.Kind != DateTimeKind.Utc || t.TimeOfDay != TimeSpan.Zero))
        {
            yield return "a period bound is not midnight UTC";
        }

        if (end <= start)
        {
            yield return $"charge period {start:O}..{end:O} is empty";
        }

        if (billingStart != new DateTime(start.Year, start.Month, 1, 0, 0, 0, DateTimeKind.Utc) || row.BillingPeriodEnd != billingStart.AddMonths(1))
        {
            yield return $"billing period {billingStart:O} does not hold charge start {start:O}";
        }

        if (end > row.BillingPeriodEnd)
        {
            yield return "charge period ends after the billing period";
        }

        if (row.ChargeCategory == "Usage" && end != start.AddDays(1))
        {
            yield return "a usage row does not cover exactly one day";
        }
    }

    private static IEnumerable<string> TagsMatch(FocusRow row)
    {
        if (row.Tags is null)
        {
            return row.NormalizedTags.Count == 0 ? [] : ["NormalizedTags without Tags"];
        }

        using var doc = JsonDocument.Parse(row.Tags);
        var raw = doc.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name.Trim(), p.Value.GetString()!)).ToArray();
        var problems = new List<string>();
        if (!raw.SequenceEqual(row.NormalizedTags))
        {
            problems.Add($"Tags {row.Tags} differ from NormalizedTags");
        }

        problems.AddRange(raw.Where(p => !TagKeys.Contains(p.Key)).Select(p => $"unexpected tag key {p.Key}"));
        if (row.ResourceId is null)
        {
            problems.Add("a non-resource row has tags");
        }

        return problems;
    }

    private static IEnumerable<string> Quantities(FocusRow row)
    {
        if (row.ChargeCategory != "Usage")
        {
            yield break;
        }

        if (row.PricingQuantity is not > 0 || row.PricingUnit is null)
        {
            yield return $"PricingQuantity {row.PricingQuantity} {row.PricingUnit}";
            yield break;
        }

        if (row.CommitmentDiscountStatus == "Unused")
        {
            yield break;
        }

        if (row.ConsumedQuantity is not { } consumed || row.ConsumedUnit is null)
        {
            yield return "usage without ConsumedQuantity/ConsumedUnit";
            yield break;
        }

        var start = row.ChargePeriodStart!.Value;
        var expected = (row.ConsumedUnit, row.PricingUnit) switch
        {
            ("GB-Hours", "GB-Months") => consumed / (24 * DateTime.DaysInMonth(start.Year, start.Month)),
            var (c, p) when c == p => consumed,
            _ => -1m,
        };
        if (Math.Abs(expected - row.PricingQuantity.Value) > 0.00000001m)
        {
            yield return $"{consumed} {row.ConsumedUnit} does not give {row.PricingQuantity} {row.PricingUnit}";
        }
    }
}
