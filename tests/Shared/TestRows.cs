using Dwcp.Core.Focus;

namespace Dwcp.Tests;

/// <summary>Builds FOCUS rows for tests (shared by every test project through tests/Directory.Build.props).</summary>
internal static class TestRows
{
    public static FocusRow Make(
        string account,
        DateOnly day,
        string service,
        decimal billed,
        decimal? effective = null,
        decimal? list = null,
        string provider = "AWS",
        string currency = "USD",
        string? region = "us-east-1",
        IReadOnlyDictionary<string, string>? tags = null,
        decimal? consumed = null,
        string? unit = null,
        string? resource = null)
    {
        var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var period = new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var row = new FocusRow
        {
            BillingAccountId = account,
            BillingAccountName = account + " name",
            BillingCurrency = currency,
            BillingPeriodStart = period,
            BillingPeriodEnd = period.AddMonths(1),
            ChargePeriodStart = start,
            ChargePeriodEnd = start.AddDays(1),
            ChargeCategory = "Usage",
            ProviderName = provider,
            PublisherName = provider,
            InvoiceIssuerName = provider,
            ServiceName = service,
            ServiceCategory = "Compute",
            RegionId = region,
            ResourceId = resource,
            BilledCost = billed,
            EffectiveCost = effective ?? billed,
            ListCost = list ?? billed,
            ContractedCost = billed,
            ConsumedQuantity = consumed,
            ConsumedUnit = unit,
        };
        if (tags is not null)
        {
            row.NormalizedTags = tags.Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value)).ToArray();
            row.Tags = System.Text.Json.JsonSerializer.Serialize(tags);
        }

        return row;
    }
}
