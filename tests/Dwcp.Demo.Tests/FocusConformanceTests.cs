namespace Dwcp.Demo.Tests;

[Collection(DemoDataCollection.Name)]
public sealed class FocusConformanceTests(DemoDataFixture data)
{
    [Fact]
    public void Every_mandatory_non_null_FOCUS_column_is_filled_on_every_row() => data.AssertNoProblems(RowRules.MandatoryNotNull);

    [Fact]
    public void List_cost_is_at_least_effective_cost_on_every_usage_row() => data.AssertNoProblems(RowRules.UsageListCoversEffective);

    [Fact]
    public void List_and_contracted_costs_are_unit_price_times_pricing_quantity() => data.AssertNoProblems(RowRules.CostsFollowUnitPrices);

    [Fact]
    public void Money_columns_have_at_most_ten_decimal_places() => data.AssertNoProblems(RowRules.MoneyHasAtMostTenDecimals);

    [Fact]
    public void Categorical_columns_only_hold_FOCUS_allowed_values() => data.AssertNoProblems(RowRules.AllowedValues);

    [Fact]
    public void Charge_periods_are_utc_days_inside_their_calendar_month_billing_period() => data.AssertNoProblems(RowRules.PeriodsAreUtcDaysAndMonths);

    [Fact]
    public void Tags_are_json_objects_with_the_same_pairs_as_the_normalized_tags() => data.AssertNoProblems(RowRules.TagsMatchNormalizedTags);

    [Fact]
    public void No_string_column_holds_an_empty_value_instead_of_null() => data.AssertNoProblems(RowRules.NoEmptyStrings);

    [Fact]
    public void Consumed_and_pricing_quantities_agree_on_usage_rows() => data.AssertNoProblems(RowRules.QuantitiesAreConsistent);

    [Fact]
    public void Every_row_is_billed_in_usd_under_a_canonical_provider_name() => data.AssertNoProblems(RowRules.UsdAndCanonicalProvider);

    [Fact]
    public void Each_resource_has_at_most_one_usage_row_per_day()
    {
        var duplicates = data.Rows
            .Where(r => r.ChargeCategory == "Usage" && r.ResourceId is not null)
            .GroupBy(r => (r.ResourceId, r.Start))
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.ResourceId} on {g.Key.Start}")
            .Take(5)
            .ToList();

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Each_service_has_a_single_service_category_and_subcategory()
    {
        var mixed = data.Rows.GroupBy(r => (r.Provider, r.Service))
            .Where(g => g.Select(r => (r.ServiceCategory, r.ServiceSubcategory)).Distinct().Count() > 1)
            .Select(g => g.Key)
            .ToList();

        Assert.Empty(mixed);
    }
}
