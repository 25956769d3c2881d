using Dwcp.Anomalies.Costs;

namespace Dwcp.Anomalies.Tests.Costs;

/// <summary>The catalogue always names a cause, reads single-valued dimensions, and treats traffic SKUs as transfer.</summary>
public sealed class CauseRuleFallbackTests
{
    private static CostDetailRow Row(decimal cost, string sku = "Compute Hours", string? resource = "r-1", string category = "Usage") => new()
    {
        Account = "acct-1",
        Region = "eu-west-1",
        Sku = sku,
        Resource = resource,
        ChargeCategory = category,
        PricingCategory = "Standard",
        Currency = "USD",
        Cost = cost,
    };

    private static RootCauseResult Single(decimal before, decimal after, string sku = "Compute Hours") =>
        RootCauseAnalyzer.Analyze([Row(after, sku)], [Row(before, sku), Row(before, sku)], 2);

    [Fact]
    public void When_every_dimension_has_one_value_and_no_rule_matches_the_fallback_still_fires()
    {
        // A drop of a single-SKU, single-resource series (the audit's Savings Plans day: 223.89 expected, 6.54 actual).
        var rootCause = Single(223.89m, 6.54m, "Unused Commitment");
        var rules = CauseRuleCatalogue.Match("Savings Plans for AWS Compute usage", rootCause);
        Assert.Equal("general-usage", Assert.Single(rules).Id);
        Assert.NotEmpty(rootCause.Decreases);
    }

    [Fact]
    public void The_fallback_fires_exactly_when_no_other_rule_does()
    {
        var transfer = Single(100m, 400m, "Downstream Traffic");
        var ids = CauseRuleCatalogue.Match("Alibaba Cloud CDN", transfer).Select(r => r.Id).ToList();
        Assert.Contains("network-egress", ids);
        Assert.DoesNotContain("general-usage", ids);

        // No change at all still gets the fallback (nothing else can fire).
        Assert.Equal("general-usage", Assert.Single(CauseRuleCatalogue.Match("Anything", Single(100m, 100m))).Id);
    }

    [Theory]
    [InlineData("Downstream Traffic")]
    [InlineData("Internet Egress (GB)")]
    [InlineData("Outbound Data")]
    [InlineData("Data Transfer Out")]
    [InlineData("Bandwidth Premium")]
    public void A_rising_transfer_sku_of_a_one_sku_series_is_read_as_transfer(string sku)
    {
        var rootCause = Single(100m, 300m, sku);
        Assert.Contains("network-egress", CauseRuleCatalogue.Match("Alibaba Cloud CDN", rootCause).Select(r => r.Id));
        Assert.Contains("storage-transfer", CauseRuleCatalogue.Match("Amazon Simple Storage Service", rootCause).Select(r => r.Id));
    }

    [Fact]
    public void A_rising_non_transfer_sku_of_a_one_sku_series_is_not_read_as_transfer()
    {
        var ids = CauseRuleCatalogue.Match("Alibaba Cloud CDN", Single(100m, 300m, "Edge Compute Hours")).Select(r => r.Id).ToList();
        Assert.DoesNotContain("network-egress", ids);
        Assert.Equal(["general-usage"], ids);
    }
}
