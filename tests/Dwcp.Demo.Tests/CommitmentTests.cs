namespace Dwcp.Demo.Tests;

[Collection(DemoDataCollection.Name)]
public sealed class CommitmentTests(DemoDataFixture data)
{
    private IEnumerable<RowFacts> Covered => data.Rows.Where(r => r.CommitmentStatus == "Used");

    private IEnumerable<RowFacts> Purchases => data.Rows.Where(r => r.ChargeCategory == "Purchase");

    [Fact]
    public void Covered_usage_is_not_billed_but_carries_a_positive_amortised_cost()
    {
        Assert.True(Covered.Count() > 1000, "too few covered rows");
        Assert.All(Covered, r =>
        {
            Assert.Equal("Usage", r.ChargeCategory);
            Assert.Equal("Committed", r.PricingCategory);
            Assert.NotNull(r.CommitmentId);
            Assert.Equal(0m, r.Billed);
            Assert.True(r.Effective > 0, "EffectiveCost is not positive");
            Assert.True(r.Effective < r.Contracted && r.Contracted <= r.List, $"{r.Effective} / {r.Contracted} / {r.List}");
        });
    }

    [Fact]
    public void Both_a_spend_savings_plan_and_usage_reservations_cover_usage()
    {
        var providers = Covered.Select(r => (r.Provider, r.Service)).Distinct().ToList();

        Assert.Contains(("AWS", "Amazon Elastic Compute Cloud"), providers);
        Assert.Contains(("AWS", "Amazon Relational Database Service"), providers);
        Assert.Contains(("Microsoft", "Virtual Machines"), providers);
    }

    [Fact]
    public void Purchases_are_billed_up_front_with_no_effective_cost()
    {
        Assert.NotEmpty(Purchases);
        Assert.All(Purchases, r =>
        {
            Assert.NotNull(r.CommitmentId);
            Assert.True(r.Billed > 0);
            Assert.Equal(0m, r.Effective);
            Assert.Contains(r.ChargeFrequency, new[] { "Recurring", "One-Time" });
        });
        Assert.Contains(Purchases, r => r.ChargeFrequency == "One-Time");
    }

    [Fact]
    public void Unused_commitment_rows_amortise_what_no_usage_consumed()
    {
        var unused = data.Rows.Where(r => r.CommitmentStatus == "Unused").ToList();

        Assert.NotEmpty(unused);
        Assert.All(unused, r =>
        {
            Assert.Equal("Usage", r.ChargeCategory);
            Assert.Equal(0m, r.Billed);
            Assert.True(r.Effective > 0);
        });
    }

    [Fact]
    public void A_monthly_paid_commitment_amortises_exactly_its_monthly_fee()
    {
        var monthly = Purchases.Where(r => r.ChargeFrequency == "Recurring").ToList();

        Assert.NotEmpty(monthly);
        foreach (var fee in monthly)
        {
            var amortised = data.Rows
                .Where(r => r.CommitmentId == fee.CommitmentId && r.ChargeCategory == "Usage" && r.Start >= fee.Start && r.Start < fee.End)
                .Sum(r => r.Effective);
            Assert.True(Math.Abs(amortised - fee.Billed) < 0.0001m, $"{fee.CommitmentId} {fee.Start}: fee {fee.Billed}, amortised {amortised}");
        }
    }

    [Fact]
    public void An_upfront_commitment_bills_more_in_the_window_than_it_amortises_so_billed_and_effective_totals_differ()
    {
        var upfront = Purchases.Single(r => r.ChargeFrequency == "One-Time");
        var amortised = data.Rows.Where(r => r.CommitmentId == upfront.CommitmentId && r.ChargeCategory == "Usage").Sum(r => r.Effective);

        Assert.InRange(amortised, upfront.Billed * 0.5m, upfront.Billed * 0.95m);
        Assert.NotEqual(data.Rows.Sum(r => r.Billed), data.Rows.Sum(r => r.Effective));
    }

    [Fact]
    public void A_few_credits_reduce_the_bill()
    {
        var credits = data.Rows.Where(r => r.ChargeCategory == "Credit").ToList();

        Assert.InRange(credits.Count, 3, 30);
        Assert.All(credits, r =>
        {
            Assert.True(r.Billed < 0);
            Assert.Equal(r.Billed, r.Effective);
            Assert.Equal(r.Billed, r.List);
        });
    }

    [Fact]
    public void Each_billing_account_gets_exactly_one_tax_row_per_month()
    {
        var billedMonths = data.Rows.Where(r => r.ChargeCategory != "Tax" && r.Billed != 0)
            .GroupBy(r => (r.BillingAccountId, r.BillingPeriodStart))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Billed));
        var taxes = data.Rows.Where(r => r.ChargeCategory == "Tax").ToList();

        Assert.Equal(billedMonths.Keys.Order(), taxes.Select(t => (t.BillingAccountId, t.BillingPeriodStart)).Order());
        Assert.All(taxes, t => Assert.InRange(t.Billed, billedMonths[(t.BillingAccountId, t.BillingPeriodStart)] * 0.01m, billedMonths[(t.BillingAccountId, t.BillingPeriodStart)] * 0.25m));
    }
}
