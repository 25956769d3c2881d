using Dwcp.Core.Focus;

namespace Dwcp.Demo.Tests;

/// <summary>The columns the aggregate tests need, kept for every row of the seed-42 run (a full FocusRow is far larger).</summary>
public sealed record RowFacts(
    string Provider,
    string Service,
    string ServiceCategory,
    string? ServiceSubcategory,
    string ChargeCategory,
    string? ChargeFrequency,
    string? PricingCategory,
    string? CommitmentId,
    string? CommitmentStatus,
    string BillingAccountId,
    string? SubAccountId,
    string? RegionId,
    string? ResourceId,
    string? SkuId,
    string? Tags,
    string? PricingUnit,
    DateOnly Start,
    DateOnly End,
    DateOnly BillingPeriodStart,
    decimal Billed,
    decimal Effective,
    decimal List,
    decimal Contracted)
{
    /// <summary>Whether the row covers exactly one UTC day.</summary>
    public bool IsDaily => End.DayNumber - Start.DayNumber == 1;

    public static RowFacts Of(FocusRow row) => new(
        row.ProviderName!,
        row.ServiceName!,
        row.ServiceCategory!,
        row.ServiceSubcategory,
        row.ChargeCategory!,
        row.ChargeFrequency,
        row.PricingCategory,
        row.CommitmentDiscountId,
        row.CommitmentDiscountStatus,
        row.BillingAccountId!,
        row.SubAccountId,
        row.RegionId,
        row.ResourceId,
        row.SkuId,
        row.Tags,
        row.PricingUnit,
        DateOnly.FromDateTime(row.ChargePeriodStart!.Value),
        DateOnly.FromDateTime(row.ChargePeriodEnd!.Value),
        DateOnly.FromDateTime(row.BillingPeriodStart!.Value),
        row.BilledCost!.Value,
        row.EffectiveCost!.Value,
        row.ListCost!.Value,
        row.ContractedCost!.Value);
}
