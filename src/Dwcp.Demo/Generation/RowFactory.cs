using System.Globalization;
using Dwcp.Core.Focus;
using Dwcp.Demo.Catalog;

namespace Dwcp.Demo.Generation;

/// <summary>How a usage row is covered by a commitment.</summary>
internal readonly record struct Coverage(Commitment Commitment, decimal Quantity, decimal EffectiveCost);

/// <summary>The billing context shared by every row of one billing account on one charge period.</summary>
internal readonly record struct Billing(ProviderCatalog Provider, BillingAccountDef Account, string InvoiceId);

/// <summary>Builds FOCUS rows. Every row is in USD; money is rounded to at most 10 decimal places.</summary>
internal static class RowFactory
{
    public const string Currency = "USD";

    /// <summary>A usage row of a line-day, optionally covered by a commitment.</summary>
    public static FocusRow Usage(Billing billing, LineDay day, DateOnly date, Coverage? coverage)
    {
        var line = day.Line;
        var row = Base(billing, date, date, date.AddDays(1));
        SubAccount(row, line.SubAccount);
        Region(row, line.Region);
        row.ServiceName = line.Service.Name;
        row.ServiceCategory = line.Service.Category;
        row.ServiceSubcategory = line.Subcategory;
        row.ChargeCategory = "Usage";
        row.ChargeFrequency = "Usage-Based";
        row.ChargeDescription = Describe(day.Prices.Sku, line.Region);
        row.ResourceId = line.ResourceId;
        row.ResourceName = line.ResourceName;
        row.ResourceType = line.Fleet.ResourceType;
        row.Tags = line.TagsJson;
        row.NormalizedTags = line.NormalizedTags;
        row.SkuId = day.Prices.SkuId;
        row.SkuPriceId = day.Prices.SkuPriceId;
        row.SkuMeter = day.Prices.Sku.Meter;
        row.ConsumedQuantity = day.Usage.Consumed;
        row.ConsumedUnit = day.Prices.Sku.ConsumedUnit;
        row.PricingQuantity = day.Usage.Pricing;
        row.PricingUnit = day.Prices.Sku.PricingUnit;
        row.ListUnitPrice = day.Prices.ListUnitPrice;
        row.ContractedUnitPrice = day.Prices.ContractedUnitPrice;
        row.ListCost = day.ListCost;
        row.ContractedCost = day.ContractedCost;
        if (coverage is { } c)
        {
            row.PricingCategory = "Committed";
            row.BilledCost = 0m;
            row.EffectiveCost = c.EffectiveCost;
            Commit(row, c.Commitment);
            row.CommitmentDiscountStatus = "Used";
            row.CommitmentDiscountQuantity = c.Quantity;
        }
        else
        {
            row.PricingCategory = line.Fleet.PricingCategory;
            row.BilledCost = day.ContractedCost;
            row.EffectiveCost = day.ContractedCost;
        }

        return Normalize(row);
    }

    /// <summary>The unused part of a commitment on a day: amortised cost with nothing billed.</summary>
    public static FocusRow Unused(Billing billing, Commitment commitment, DateOnly date, decimal units)
    {
        var row = CommitmentRow(billing, commitment, date, date.AddDays(1), units);
        row.ChargeCategory = "Usage";
        row.ChargeFrequency = "Usage-Based";
        row.ChargeDescription = $"Unused commitment of {commitment.Name}";
        row.PricingCategory = "Committed";
        row.CommitmentDiscountStatus = "Unused";
        row.BilledCost = 0m;
        row.EffectiveCost = row.ListCost;
        return Normalize(row);
    }

    /// <summary>A commitment purchase: billed now, amortised into usage (so EffectiveCost is 0).</summary>
    public static FocusRow Purchase(Billing billing, Commitment commitment, DateOnly from, DateOnly toExclusive, decimal units)
    {
        var row = CommitmentRow(billing, commitment, from, toExclusive, units);
        var upfront = commitment.Payment == CommitmentPayment.AllUpfront;
        row.ChargeCategory = "Purchase";
        row.ChargeFrequency = upfront ? "One-Time" : "Recurring";
        row.ChargeDescription = upfront ? $"Upfront fee for {commitment.Name}" : $"Monthly fee for {commitment.Name}";
        row.PricingCategory = "Standard";
        row.BilledCost = row.ListCost;
        row.EffectiveCost = 0m;
        return Normalize(row);
    }

    /// <summary>A credit: negative, with list and contracted cost equal to the billed amount.</summary>
    public static FocusRow Credit(Billing billing, SubAccountDef sub, ServiceDef service, DateOnly date, decimal amount, string description)
    {
        var row = Base(billing, date, date, date.AddDays(1));
        SubAccount(row, sub);
        row.ServiceName = service.Name;
        row.ServiceCategory = service.Category;
        row.ServiceSubcategory = service.Subcategory;
        row.ChargeCategory = "Credit";
        row.ChargeFrequency = "One-Time";
        row.ChargeDescription = description;
        row.BilledCost = row.EffectiveCost = row.ListCost = row.ContractedCost = amount;
        return Normalize(row);
    }

    /// <summary>A monthly tax row of a billing account.</summary>
    public static FocusRow Tax(Billing billing, DateOnly from, DateOnly toExclusive, decimal rate, decimal billed, decimal list, decimal contracted)
    {
        var row = Base(billing, from, from, toExclusive);
        row.ServiceName = "Tax";
        row.ServiceCategory = "Other";
        row.ServiceSubcategory = "Other (Other)";
        row.ChargeCategory = "Tax";
        row.ChargeFrequency = "Recurring";
        row.ChargeDescription = string.Create(CultureInfo.InvariantCulture, $"{billing.Account.TaxName} ({rate * 100:0.##} %) for {from:yyyy-MM}");
        row.BilledCost = row.EffectiveCost = Math.Round(billed * rate, 2);
        row.ListCost = Math.Round(list * rate, 2);
        row.ContractedCost = Math.Round(contracted * rate, 2);
        return Normalize(row);
    }

    /// <summary>Drops trailing zeros of every decimal (61.97601600 becomes 61.976016); values are unchanged.</summary>
    private static FocusRow Normalize(FocusRow row)
    {
        var values = row.Decimals;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } v)
            {
                values[i] = TrimZeros(v);
            }
        }

        return row;
    }

    /// <summary>The same value with the smallest scale that represents it exactly.</summary>
    internal static decimal TrimZeros(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (byte)((bits[3] >> 16) & 0xFF);
        if (scale == 0)
        {
            return value;
        }

        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        if (mantissa == 0)
        {
            return 0m;
        }

        var trimmed = scale;
        while (trimmed > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            trimmed--;
        }

        return trimmed == scale
            ? value
            : new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), bits[3] < 0, trimmed);
    }

    private static FocusRow CommitmentRow(Billing billing, Commitment commitment, DateOnly from, DateOnly toExclusive, decimal units)
    {
        var row = Base(billing, from, from, toExclusive);
        SubAccount(row, commitment.SubAccount);
        Region(row, commitment.Region);
        row.ServiceName = commitment.Service.Name;
        row.ServiceCategory = commitment.Service.Category;
        row.ServiceSubcategory = commitment.Service.Subcategory;
        Commit(row, commitment);
        row.CommitmentDiscountQuantity = units;
        row.PricingQuantity = units;
        row.PricingUnit = commitment.Unit;
        row.ListUnitPrice = row.ContractedUnitPrice = commitment.UnitRate;
        row.ListCost = row.ContractedCost = Math.Round(units * commitment.UnitRate, 10);
        return row;
    }

    private static FocusRow Base(Billing billing, DateOnly periodOf, DateOnly chargeStart, DateOnly chargeEnd)
    {
        var month = Window.MonthStart(periodOf);
        return new FocusRow
        {
            ProviderName = billing.Provider.ProviderName,
            PublisherName = billing.Provider.PublisherName,
            InvoiceIssuerName = billing.Account.InvoiceIssuer ?? billing.Provider.InvoiceIssuerName,
            InvoiceId = billing.InvoiceId,
            BillingAccountId = billing.Account.Id,
            BillingAccountName = billing.Account.Name,
            BillingAccountType = billing.Account.Type,
            BillingCurrency = Currency,
            BillingPeriodStart = Window.Utc(month),
            BillingPeriodEnd = Window.Utc(month.AddMonths(1)),
            ChargePeriodStart = Window.Utc(chargeStart),
            ChargePeriodEnd = Window.Utc(chargeEnd),
        };
    }

    private static void SubAccount(FocusRow row, SubAccountDef sub)
    {
        row.SubAccountId = sub.Id;
        row.SubAccountName = sub.Name;
        row.SubAccountType = sub.Type;
    }

    private static void Region(FocusRow row, RegionDef? region)
    {
        row.RegionId = region?.Id;
        row.RegionName = region?.Name;
    }

    private static void Commit(FocusRow row, Commitment commitment)
    {
        row.CommitmentDiscountId = commitment.Id;
        row.CommitmentDiscountName = commitment.Name;
        row.CommitmentDiscountType = commitment.Type;
        row.CommitmentDiscountCategory = commitment.Category;
        row.CommitmentDiscountUnit = commitment.Unit;
    }

    private static string Describe(SkuDef sku, RegionDef? region) =>
        region is null ? $"{sku.Code} - {sku.Meter}" : $"{sku.Code} - {sku.Meter} in {region.Name}";
}
