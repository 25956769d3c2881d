using System.Globalization;
using Dwcp.Demo.Catalog;
using Dwcp.Demo.Estate;

namespace Dwcp.Demo.Generation;

/// <summary>How a commitment is paid.</summary>
internal enum CommitmentPayment
{
    /// <summary>A Recurring purchase row each month of the term.</summary>
    Monthly,
    /// <summary>One One-Time purchase row for the whole term, on its first day.</summary>
    AllUpfront,
}

/// <summary>
/// A commitment discount (savings plan or reservation). Each day it has <see cref="DailyQuantity"/> units to give
/// away (USD for spend commitments, hours for usage commitments); eligible lines are covered whole, first fit in
/// line order, and what is left is the day's unused commitment.
/// </summary>
internal sealed record Commitment
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>FOCUS CommitmentDiscountType (provider wording).</summary>
    public required string Type { get; init; }

    /// <summary>FOCUS CommitmentDiscountCategory: Spend or Usage.</summary>
    public required string Category { get; init; }

    /// <summary>FOCUS CommitmentDiscountUnit: USD (spend) or Hours (usage).</summary>
    public required string Unit { get; init; }

    public required ProviderCatalog Provider { get; init; }

    public required BillingAccountDef BillingAccount { get; init; }

    public required SubAccountDef SubAccount { get; init; }

    public RegionDef? Region { get; init; }

    /// <summary>Service of the purchase and unused rows.</summary>
    public required ServiceDef Service { get; init; }

    public required DateOnly TermStart { get; init; }

    /// <summary>First day after the term.</summary>
    public required DateOnly TermEnd { get; init; }

    /// <summary>Units available per day.</summary>
    public required decimal DailyQuantity { get; init; }

    /// <summary>USD per unit: 1 for spend commitments, the hourly rate for usage commitments.</summary>
    public required decimal UnitRate { get; init; }

    /// <summary>Spend commitments: the rate applied to covered usage is list x (1 - discount).</summary>
    public decimal SpendDiscount { get; init; }

    public required CommitmentPayment Payment { get; init; }

    public required Func<UsageLine, bool> Eligible { get; init; }

    /// <summary>Whether the commitment is in force on a date.</summary>
    public bool IsActive(DateOnly date) => date >= TermStart && date < TermEnd;

    /// <summary>Commitment units a line-day would use (USD at the commitment rate, or hours).</summary>
    public decimal Need(LineDay day) => Category == "Spend"
        ? Math.Round(day.Prices.ListUnitPrice * (1m - SpendDiscount) * day.Usage.Pricing, 10)
        : day.Usage.Pricing;

    /// <summary>The amortised cost of covering a line-day.</summary>
    public decimal EffectiveCostOf(decimal need) => Math.Round(need * UnitRate, 10);
}

/// <summary>Plans the estate's commitments: AWS Compute Savings Plans, an Azure VM reservation and an RDS reservation.</summary>
internal static class CommitmentPlanner
{
    /// <summary>The commitments for a window; savings plans are sized from the usage they will cover.</summary>
    public static IReadOnlyList<Commitment> Plan(IReadOnlyList<UsageLine> lines, DailyResolver resolver)
    {
        var window = resolver.Model.Window;
        var aws = DemoCatalog.Providers[0];
        var azure = DemoCatalog.Providers[1];
        var month0 = Window.MonthStart(window.From);
        var renewal = month0.AddMonths(6);
        var result = new List<Commitment>();

        bool SpEligible(UsageLine l) => l.Fleet.Key is "aws-ec2" or "aws-asg" && l.BillingAccount.Id == AwsCatalog.PayerId;
        Commitment SavingsPlan(string id, DateOnly start, DateOnly end, decimal daily) => new()
        {
            Id = $"arn:aws:savingsplans::715392648057:savingsplan/{id}",
            Name = string.Create(CultureInfo.InvariantCulture, $"Compute Savings Plan 1yr No Upfront {start:yyyy-MM}"),
            Type = "Compute Savings Plan",
            Category = "Spend",
            Unit = "USD",
            Provider = aws,
            BillingAccount = aws.BillingAccount(AwsCatalog.PayerId),
            SubAccount = aws.SubAccount("bw-shared-services"),
            Service = aws.Service(AwsCatalog.SavingsPlans),
            TermStart = start,
            TermEnd = end,
            DailyQuantity = daily,
            UnitRate = 1m,
            SpendDiscount = 0.28m,
            Payment = CommitmentPayment.Monthly,
            Eligible = SpEligible,
        };

        var first = SavingsPlan("5e1c7a9d-2b4f-4c86-a0e3-9d7b1f5c3a28", month0.AddMonths(-6), renewal, 0m);
        result.Add(first with { DailyQuantity = Size(first, lines, resolver, 0) });
        if (window.DayOf(renewal) + 14 <= window.Days)
        {
            var second = SavingsPlan("b83f2d6e-7a1c-4e95-8f40-2c6d9e1a7b53", renewal, renewal.AddYears(1), 0m);
            result.Add(second with { DailyQuantity = Size(second, lines, resolver, window.DayOf(renewal)) });
        }

        result.Add(new Commitment
        {
            Id = "/providers/Microsoft.Capacity/reservationOrders/4d2a8c6e-1f3b-4a97-b5e0-8c2d6f4a1e93/reservations/9a7e5c3b-2d1f-4b86-a4c2-6e8d0b2f4a71",
            Name = "VM_RI_D8s_v5_eastus_erp_3yr",
            Type = "Reserved VM Instance",
            Category = "Usage",
            Unit = "Hours",
            Provider = azure,
            BillingAccount = azure.BillingAccount(AzureCatalog.EnrollmentId),
            SubAccount = azure.SubAccount("bw-erp-prod"),
            Region = azure.Region("eastus"),
            Service = azure.Service(AzureCatalog.VirtualMachines),
            TermStart = month0.AddMonths(-9),
            TermEnd = month0.AddMonths(-9).AddYears(3),
            DailyQuantity = 12 * 24,
            UnitRate = 0.1596m,
            Payment = CommitmentPayment.Monthly,
            Eligible = l => l.SubAccount.Name == "bw-erp-prod" && l.Sku.Code == "D8s v5" && l.Region?.Id == "eastus",
        });

        var rdsStart = month0.AddMonths(4);
        result.Add(new Commitment
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"arn:aws:rds:us-east-1:371958204613:ri:orders-pg-ri-{rdsStart:yyyy-MM}"),
            Name = string.Create(CultureInfo.InvariantCulture, $"orders-pg-ri-{rdsStart:yyyy-MM} (db.r6g.xlarge x4, 1yr All Upfront)"),
            Type = "Reserved DB Instance",
            Category = "Usage",
            Unit = "Hours",
            Provider = aws,
            BillingAccount = aws.BillingAccount(AwsCatalog.PayerId),
            SubAccount = aws.SubAccount("bw-platform-prod"),
            Region = aws.Region("us-east-1"),
            Service = aws.Service(AwsCatalog.Rds),
            TermStart = rdsStart,
            TermEnd = rdsStart.AddYears(1),
            DailyQuantity = 4 * 24,
            UnitRate = 0.2900m,
            Payment = CommitmentPayment.AllUpfront,
            Eligible = l => l.SubAccount.Name == "bw-platform-prod" && l.Sku.Code == "db.r6g.xlarge" && l.Region?.Id == "us-east-1",
        });

        return result;
    }

    /// <summary>
    /// Sizes a savings plan at 97 % of the average daily commitment-rate cost of its eligible usage over the two
    /// weeks from <paramref name="fromDay"/>, rounded down to whole cents per hour (the way plans are bought).
    /// </summary>
    private static decimal Size(Commitment plan, IReadOnlyList<UsageLine> lines, DailyResolver resolver, int fromDay)
    {
        var total = 0m;
        var days = Math.Min(14, resolver.Model.Window.Days - fromDay);
        for (var day = fromDay; day < fromDay + days; day++)
        {
            foreach (var line in lines)
            {
                if (plan.Eligible(line) && line.IsActive(day))
                {
                    total += plan.Need(resolver.Resolve(line, day));
                }
            }
        }

        var hourly = Math.Floor(total / days / 24 * 0.97m * 100) / 100;
        return hourly * 24;
    }
}
