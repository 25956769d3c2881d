using Dwcp.Anomalies.Costs;

namespace Dwcp.Anomalies.Tests;

/// <summary>A change in a series whose every dimension has one value (one resource, one SKU, one account) is still
/// explained: the single values are named with the whole change, most specific first.</summary>
public sealed class RootCauseSingleValueTests
{
    private static CostDetailRow Row(decimal cost) => new()
    {
        Account = "111", Region = "us-east-1", Sku = "ComputeSP:1yrNoUpfront", Resource = "sp-1", ChargeCategory = "Purchase",
        PricingCategory = "Committed", CommitmentStatus = null, Currency = "USD", Cost = cost,
    };

    [Fact]
    public void A_single_line_item_that_falls_is_named_in_the_decreases_with_the_whole_change()
    {
        // Baseline: 3 days of 100.00; the anomalous day: 3.00. Expected 100.00, delta −97.00 (by hand).
        var result = RootCauseAnalyzer.Analyze([Row(3.00m)], [Row(100m), Row(100m), Row(100m)], baselineDays: 3, top: 5);
        Assert.Equal(100.00m, result.Expected);
        Assert.Equal(-97.00m, result.Delta);
        Assert.Empty(result.Increases);
        Assert.Equal(["resource", "sku", "account", "region", "charge_category"], result.Decreases.Select(c => c.Dimension));
        Assert.All(result.Decreases, c => Assert.Equal(-97.00m, c.DollarDelta));
        Assert.Equal("sp-1", result.Decreases[0].Value);
    }

    [Fact]
    public void With_two_values_in_a_dimension_the_ranked_lists_are_unchanged()
    {
        var other = Row(50m) with { Resource = "sp-2" };
        var result = RootCauseAnalyzer.Analyze([Row(3.00m), other], [Row(100m), other], baselineDays: 1);
        var top = Assert.Single(result.Decreases);
        Assert.Equal(("resource", "sp-1", -97.00m), (top.Dimension, top.Value, top.DollarDelta));
    }

    [Fact]
    public void No_change_names_nothing()
    {
        var result = RootCauseAnalyzer.Analyze([Row(100m)], [Row(100m)], baselineDays: 1);
        Assert.Empty(result.Increases);
        Assert.Empty(result.Decreases);
    }
}
