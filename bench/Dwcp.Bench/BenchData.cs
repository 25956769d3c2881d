using Dwcp.Core.Focus;
using Dwcp.Ingest;

namespace Dwcp.Bench;

/// <summary>Generates a realistic wide FOCUS 1.2 CSV (every column filled as providers fill them) for benchmarks.</summary>
internal static class BenchData
{
    private static readonly string[] Services = ["Amazon Elastic Compute Cloud", "Amazon Simple Storage Service", "Amazon Relational Database Service", "AWS Lambda", "Amazon CloudFront", "Amazon DynamoDB", "Elastic Load Balancing", "Amazon Simple Queue Service"];
    private static readonly string[] Categories = ["Compute", "Storage", "Databases", "Compute", "Networking", "Databases", "Networking", "Integration"];
    private static readonly string[] Regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];

    public static void Write(string path, int rows, int seed)
    {
        var rng = new Random(seed);
        using var w = new FocusCsvWriter(path, ["x_UsageType", "x_Operation"]);
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < rows; i++)
        {
            var s = rng.Next(Services.Length);
            var hour = start.AddHours(rng.Next(24 * 90));
            var period = new DateTime(hour.Year, hour.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            var qty = Math.Round((decimal)rng.NextDouble() * 10m, 6);
            var price = Math.Round(0.01m + ((decimal)rng.NextDouble() * 0.5m), 8);
            var list = Math.Round(qty * price, 12);
            var acct = (1_000_000_000_000L + rng.Next(3)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var row = new FocusRow
            {
                AvailabilityZone = Regions[s % Regions.Length] + "a",
                BilledCost = list,
                BillingAccountId = acct,
                BillingAccountName = "Account " + acct[^1],
                BillingAccountType = "Billing Account",
                BillingCurrency = "USD",
                BillingPeriodStart = period,
                BillingPeriodEnd = period.AddMonths(1),
                ChargeCategory = "Usage",
                ChargeDescription = $"{price} per unit of {Services[s]}",
                ChargeFrequency = "Usage-Based",
                ChargePeriodStart = hour,
                ChargePeriodEnd = hour.AddHours(1),
                ConsumedQuantity = qty,
                ConsumedUnit = "Hours",
                ContractedCost = list,
                ContractedUnitPrice = price,
                EffectiveCost = list,
                InvoiceIssuerName = "Amazon Web Services, Inc.",
                ListCost = list,
                ListUnitPrice = price,
                PricingCategory = "Standard",
                PricingQuantity = qty,
                PricingUnit = "Hours",
                ProviderName = "AWS",
                PublisherName = "Amazon Web Services, Inc.",
                RegionId = Regions[rng.Next(Regions.Length)],
                RegionName = "Region",
                ResourceId = $"arn:aws:service:us-east-1:{acct}:resource/r-{rng.Next(20_000):D6}",
                ResourceName = "resource-" + rng.Next(20_000),
                ResourceType = "Instance",
                ServiceCategory = Categories[s],
                ServiceName = Services[s],
                SkuId = "SKU" + rng.Next(500),
                SkuPriceId = "SKUP" + rng.Next(2000),
                SubAccountId = "sub-" + rng.Next(30),
                SubAccountName = "Sub account",
                Tags = rng.Next(10) < 8 ? $"{{\"Department\":\"d{rng.Next(6)}\",\"Project\":\"p{rng.Next(40)}\",\"Environment\":\"prod\"}}" : null,
            };
            row.Extensions["x_UsageType"] = "BoxUsage:m5.large";
            row.Extensions["x_Operation"] = "RunInstances";
            w.Write(row);
        }
    }
}
