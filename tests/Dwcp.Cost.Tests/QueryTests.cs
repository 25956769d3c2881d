using Dwcp.Core.Costs;
using Dwcp.Core.Focus;

namespace Dwcp.Cost.Tests;

/// <summary><see cref="CostQueryService.QueryAsync"/>: sums, grains and the checks made before a query runs.</summary>
public sealed class QueryTests(EstateStore estate) : LoadedStoreTests<EstateStore>(estate)
{
    private static readonly DateOnly From = new(2024, 1, 5);
    private static readonly DateOnly To = new(2024, 2, 3);

    private CostQueryService Service(CostQueryOptions? options = null) => new(Store, options);

    private List<FocusRow> InRange(DateOnly from, DateOnly to) => Loaded.Where(r => Rows.InRange(r, from, to)).ToList();

    [Fact]
    public async Task Totals_per_currency_equal_the_sums_of_theLoaded_in_the_range()
    {
        var result = await Service().QueryAsync(Query(From, To), CostScope.Everything);

        var expected = InRange(From, To).GroupBy(Rows.Currency).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(2, expected.Count);
        Assert.Equal(expected.Select(g => g.Key), result.Totals.Select(t => t.Currency));
        foreach (var (g, t) in expected.Zip(result.Totals))
        {
            Assert.Equal(g.Sum(r => r.BilledCost!.Value), t.BilledCost);
            Assert.Equal(g.Sum(r => r.EffectiveCost!.Value), t.EffectiveCost);
            Assert.Equal(g.Sum(r => r.ListCost!.Value), t.ListCost);
            Assert.Equal(g.Count(), t.RowCount);
        }

        // Grain Total without grouping: one line per currency, equal to the totals.
        Assert.Equal(result.Totals.Count, result.Lines.Count);
        foreach (var t in result.Totals)
        {
            var line = Assert.Single(result.Lines, l => l.Currency == t.Currency);
            Assert.Null(line.PeriodStart);
            Assert.Empty(line.Keys);
            Assert.Equal(t.BilledCost, line.BilledCost);
            Assert.Equal(t.RowCount, line.RowCount);
        }
    }

    [Fact]
    public async Task Lines_by_account_and_service_equal_the_sums_of_theirLoaded_and_add_up_to_the_totals()
    {
        var q = Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.BillingAccount), new CostGrouping(CostDimension.Service));
        var result = await Service().QueryAsync(q, CostScope.Everything);

        Assert.Equal(["BillingAccount", "Service"], result.KeyNames);
        var expected = InRange(From, To)
            .GroupBy(r => (r.BillingAccountId, r.ServiceName, Currency: r.BillingCurrency))
            .ToDictionary(g => g.Key, g => (Billed: g.Sum(r => r.BilledCost!.Value), Effective: g.Sum(r => r.EffectiveCost!.Value), List: g.Sum(r => r.ListCost!.Value), Count: g.LongCount()));
        Assert.Equal(expected.Count, result.Lines.Count);
        Assert.Equal(expected.Count, result.TotalLines);
        Assert.Null(result.NextCursor);
        foreach (var line in result.Lines)
        {
            var e = expected[(line.Keys[0], line.Keys[1], line.Currency)];
            Assert.Equal(e.Billed, line.BilledCost);
            Assert.Equal(e.Effective, line.EffectiveCost);
            Assert.Equal(e.List, line.ListCost);
            Assert.Equal(e.Count, line.RowCount);
            Assert.Equal(e.List - e.Effective, line.Savings);
            Assert.False(line.IsOther);
        }

        foreach (var t in result.Totals)
        {
            Assert.Equal(t.BilledCost, result.Lines.Where(l => l.Currency == t.Currency).Sum(l => l.BilledCost));
        }
    }

    [Fact]
    public async Task Lines_are_ordered_by_period_then_currency_then_cost_descending()
    {
        var result = await Service().QueryAsync(Query(From, To, CostGrain.Day, new CostGrouping(CostDimension.Service)), CostScope.Everything);
        var keys = result.Lines.Select(l => (Day: l.PeriodStart!.Value, l.Currency, l.BilledCost)).ToList();
        Assert.True(keys.Count > 100);
        Assert.Equal(keys.OrderBy(k => k.Day).ThenBy(k => k.Currency, StringComparer.Ordinal).ThenByDescending(k => k.BilledCost), keys);
    }

    [Fact]
    public async Task Day_grain_lines_equal_the_sums_of_each_day_and_only_days_in_range_appear()
    {
        var result = await Service().QueryAsync(Query(From, To, CostGrain.Day, new CostGrouping(CostDimension.Service)), CostScope.Everything);
        var expected = InRange(From, To)
            .GroupBy(r => (Rows.Day(r), r.ServiceName, r.BillingCurrency))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.BilledCost!.Value));
        Assert.Equal(expected.Count, result.Lines.Count);
        Assert.All(result.Lines, l => Assert.Equal(expected[(l.PeriodStart!.Value, l.Keys[0], l.Currency)], l.BilledCost));
        Assert.All(result.Lines, l => Assert.InRange(l.PeriodStart!.Value, From, To));
    }

    [Fact]
    public async Task Month_grain_labels_buckets_by_their_first_day_and_counts_only_days_in_range()
    {
        var result = await Service().QueryAsync(Query(From, To, CostGrain.Month), CostScope.Everything);
        var expected = InRange(From, To)
            .GroupBy(r => (new DateOnly(Rows.Day(r).Year, Rows.Day(r).Month, 1), r.BillingCurrency))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.BilledCost!.Value));
        Assert.Equal(4, expected.Count);
        Assert.Equal(expected.Count, result.Lines.Count);
        Assert.All(result.Lines, l => Assert.Equal(expected[(l.PeriodStart!.Value, l.Currency)], l.BilledCost));
        Assert.Contains(result.Lines, l => l.PeriodStart == new DateOnly(2024, 1, 1));
    }

    [Fact]
    public async Task Week_grain_uses_ISO_weeks_starting_Monday()
    {
        var result = await Service().QueryAsync(Query(From, To, CostGrain.Week), CostScope.Everything);
        static DateOnly Monday(DateOnly d) => d.AddDays(-(((int)d.DayOfWeek + 6) % 7));
        var expected = InRange(From, To)
            .GroupBy(r => (Monday(Rows.Day(r)), r.BillingCurrency))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.BilledCost!.Value));
        Assert.Equal(expected.Count, result.Lines.Count);
        Assert.All(result.Lines, l => Assert.Equal(DayOfWeek.Monday, l.PeriodStart!.Value.DayOfWeek));
        Assert.All(result.Lines, l => Assert.Equal(expected[(l.PeriodStart!.Value, l.Currency)], l.BilledCost));

        // 2024-01-05 is a Friday: its bucket is labelled Monday 2024-01-01, before the range start.
        Assert.Equal(new DateOnly(2024, 1, 1), result.Lines[0].PeriodStart);
    }

    [Fact]
    public async Task A_filter_keeps_onlyLoaded_with_one_of_the_listed_values_and_null_means_untagged()
    {
        var q = Query(From, To) with
        {
            Filters = [new CostFilter(CostGrouping.ForTag("Department"), [null, "Ops"]), new CostFilter(new CostGrouping(CostDimension.Currency), ["USD"])],
        };
        var result = await Service().QueryAsync(q, CostScope.Everything);
        var expected = InRange(From, To).Where(r => Rows.Tag(r, "Department") is null or "Ops" && r.BillingCurrency == "USD").ToList();
        Assert.Contains(expected, r => Rows.Tag(r, "Department") is null);
        var t = Assert.Single(result.Totals);
        Assert.Equal(expected.Sum(r => r.BilledCost!.Value), t.BilledCost);
        Assert.Equal(expected.Count, t.RowCount);
    }

    [Fact]
    public async Task A_range_without_data_gives_no_lines_and_no_totals()
    {
        var result = await Service().QueryAsync(Query(new DateOnly(2023, 1, 1), new DateOnly(2023, 12, 31)), CostScope.Everything);
        Assert.Empty(result.Lines);
        Assert.Empty(result.Totals);
        Assert.Equal(0, result.TotalLines);
        Assert.Null(result.NextCursor);
    }

    [Fact]
    public async Task An_end_date_before_the_start_is_an_invalid_argument_naming_both_dates()
    {
        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            Service().QueryAsync(Query(new DateOnly(2024, 3, 10), new DateOnly(2024, 3, 9)), CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("2024-03-10", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2024-03-09", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_one_day_range_is_valid()
    {
        var day = new DateOnly(2024, 1, 10);
        var result = await Service().QueryAsync(Query(day, day), CostScope.Everything);
        Assert.Equal(InRange(day, day).Sum(r => r.BilledCost!.Value), result.Totals.Sum(t => t.BilledCost));
    }

    [Fact]
    public async Task A_range_longer_than_MaxRangeDays_is_a_limit_exceeded_error()
    {
        var service = Service(new CostQueryOptions { MaxRangeDays = 31 });

        // 2024-01-01..2024-01-31 is 31 days (inclusive): allowed.
        await service.QueryAsync(Query(Estate.Jan1, new DateOnly(2024, 1, 31)), CostScope.Everything);

        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            service.QueryAsync(Query(Estate.Jan1, new DateOnly(2024, 2, 1)), CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.LimitExceeded, ex.Kind);
        Assert.Contains("32", ex.Message, StringComparison.Ordinal);
        Assert.Contains("31", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_range_limit_is_3660_days()
    {
        var service = Service();
        await service.QueryAsync(Query(Estate.Jan1, Estate.Jan1.AddDays(3659)), CostScope.Everything);
        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            service.QueryAsync(Query(Estate.Jan1, Estate.Jan1.AddDays(3660)), CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.LimitExceeded, ex.Kind);
    }

    [Fact]
    public async Task A_page_larger_than_MaxResults_is_a_limit_exceeded_error_naming_api_max_results()
    {
        var service = Service(new CostQueryOptions { MaxResults = 50 });
        var q = Query(From, To, CostGrain.Day, new CostGrouping(CostDimension.Service));

        var ok = await service.QueryAsync(q with { PageSize = 50 }, CostScope.Everything);
        Assert.Equal(50, ok.Lines.Count);

        var ex = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(q with { PageSize = 51 }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.LimitExceeded, ex.Kind);
        Assert.Contains("api.max_results", ex.Message, StringComparison.Ordinal);
        Assert.Contains("51", ex.Message, StringComparison.Ordinal);
        Assert.Contains("50", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_page_size_answers_are_paged_at_MaxResults()
    {
        var service = Service(new CostQueryOptions { MaxResults = 20 });
        var result = await service.QueryAsync(Query(From, To, CostGrain.Day, new CostGrouping(CostDimension.Service)), CostScope.Everything);
        Assert.Equal(20, result.Lines.Count);
        Assert.NotNull(result.NextCursor);
        Assert.True(result.TotalLines > 20);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_page_size_that_is_not_positive_is_an_invalid_argument(int pageSize)
    {
        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            Service().QueryAsync(Query(From, To) with { PageSize = pageSize }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task TopN_without_a_grouping_is_an_invalid_argument()
    {
        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            Service().QueryAsync(Query(From, To) with { TopN = 3 }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("topN", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(101)]
    public async Task TopN_outside_1_to_MaxResults_is_an_invalid_argument(int n)
    {
        var service = Service(new CostQueryOptions { MaxResults = 100 });
        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            service.QueryAsync(Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.Service)) with { TopN = n }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Grouping_by_TAG_without_a_key_is_an_invalid_argument(string? key)
    {
        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            Service().QueryAsync(Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.Tag, key)), CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("tag key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filtering_by_TAG_without_a_key_is_an_invalid_argument()
    {
        var q = Query(From, To) with { Filters = [new CostFilter(new CostGrouping(CostDimension.Tag), ["Eng"])] };
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => Service().QueryAsync(q, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task A_dimension_listed_twice_in_the_grouping_is_an_invalid_argument()
    {
        var service = Service();
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(
            Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.Service), new CostGrouping(CostDimension.Region), new CostGrouping(CostDimension.Service)),
            CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("twice", ex.Message, StringComparison.Ordinal);

        var tags = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(
            Query(From, To, CostGrain.Total, CostGrouping.ForTag("Env"), CostGrouping.ForTag("Env")), CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, tags.Kind);
    }

    [Fact]
    public async Task Two_different_tag_keys_may_be_grouped_together()
    {
        var result = await Service().QueryAsync(
            Query(From, To, CostGrain.Total, CostGrouping.ForTag("Department"), CostGrouping.ForTag("Env")), CostScope.Everything);
        Assert.Equal(["tag:Department", "tag:Env"], result.KeyNames);
        var expected = InRange(From, To)
            .GroupBy(r => (Rows.Tag(r, "Department") ?? "<null>", Rows.Tag(r, "Env") ?? "<null>", r.BillingCurrency!))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.BilledCost!.Value));
        Assert.Equal(expected.Count, result.Lines.Count);
        Assert.All(result.Lines, l => Assert.Equal(expected[(l.Keys[0] ?? "<null>", l.Keys[1] ?? "<null>", l.Currency)], l.BilledCost));
    }

    [Fact]
    public async Task A_refused_question_never_reaches_the_store()
    {
        var store = new DelegatingCostStore(Store);
        var service = new CostQueryService(store, new CostQueryOptions { MaxResults = 10, MaxRangeDays = 30 });
        var bad = new[]
        {
            Query(To, From),
            Query(Estate.Jan1, Estate.Jan1.AddDays(30)),
            Query(From, From) with { PageSize = 11 },
            Query(From, From) with { TopN = 1 },
            Query(From, From, CostGrain.Total, new CostGrouping(CostDimension.Tag)),
            Query(From, From, CostGrain.Total, new CostGrouping(CostDimension.Provider), new CostGrouping(CostDimension.Provider)),
            Query(From, From) with { Cursor = "not a cursor" },
        };
        foreach (var q in bad)
        {
            await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(q, CostScope.Everything));
        }

        Assert.Equal(0, store.Reads);
    }
}
