using Dwcp.Core.Costs;
using Dwcp.Core.Focus;

namespace Dwcp.Cost.Tests;

/// <summary>The caller's scope: applied to every read, narrowed but never widened by the caller's filters.</summary>
public sealed class ScopeTests(EstateStore estate) : LoadedStoreTests<EstateStore>(estate)
{
    private static readonly DateOnly From = Estate.Jan1;
    private static readonly DateOnly To = Estate.Jan1.AddDays(44);

    private CostQueryService Service() => new(Store);

    private static CostFilter Accounts(params string?[] values) => new(new CostGrouping(CostDimension.BillingAccount), values);

    private static CostFilter Department(params string?[] values) => new(CostGrouping.ForTag("Department"), values);

    [Fact]
    public void ApplyScope_adds_the_account_and_tag_restrictions_after_the_callers_filters()
    {
        var callers = new[] { new CostFilter(new CostGrouping(CostDimension.Service), ["svc1"]) };
        var scope = CostScope.Parse("tag:Team=core;account=B|A;tag:Department=Ops|Eng");

        var applied = CostQueryService.ApplyScope(callers, scope);

        Assert.Equal(4, applied.Count);
        Assert.Same(callers[0], applied[0]);
        Assert.Equal(new CostGrouping(CostDimension.BillingAccount), applied[1].On);
        Assert.Equal(["A", "B"], applied[1].Values);
        Assert.Equal(CostGrouping.ForTag("Department"), applied[2].On);
        Assert.Equal(["Eng", "Ops"], applied[2].Values);
        Assert.Equal(CostGrouping.ForTag("Team"), applied[3].On);
        Assert.Equal(["core"], applied[3].Values);
    }

    [Fact]
    public void ApplyScope_of_everything_leaves_the_filters_as_they_are()
    {
        var callers = new[] { Accounts("A") };
        Assert.Equal(callers, CostQueryService.ApplyScope(callers, CostScope.Everything));
        Assert.Empty(CostQueryService.ApplyScope([], CostScope.Everything));
    }

    [Fact]
    public void ApplyScope_never_lets_a_scope_restriction_match_untaggedLoaded()
    {
        var applied = CostQueryService.ApplyScope([], CostScope.Parse("tag:Department=Eng"));
        Assert.DoesNotContain(null, Assert.Single(applied).Values);
    }

    [Theory]
    [InlineData("account=A")]
    [InlineData("account=A|C")]
    [InlineData("tag:Department=Eng")]
    [InlineData("tag:Department=Eng|Ops")]
    [InlineData("account=A;tag:Department=Eng")]
    [InlineData("account=B|C;tag:Department=Ops;tag:Env=prod")]
    [InlineData("account=NoSuchAccount")]
    [InlineData("*")]
    public async Task Answers_under_a_scope_equal_the_sums_of_the_visibleLoaded(string scopeText)
    {
        var scope = CostScope.Parse(scopeText);
        var visible = Loaded.Where(r => Rows.Visible(r, scope) && Rows.InRange(r, From, To)).ToList();
        if (scopeText != "account=NoSuchAccount")
        {
            Assert.NotEmpty(visible);
            Assert.True(visible.Count < Loaded.Count || scope.IsUnrestricted);
        }

        var result = await Service().QueryAsync(
            Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.BillingAccount), CostGrouping.ForTag("Department")), scope);

        Assert.Same(scope, result.Scope);
        var expectedTotals = visible.GroupBy(Rows.Currency).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expectedTotals.Select(g => g.Key), result.Totals.Select(t => t.Currency));
        foreach (var (g, t) in expectedTotals.Zip(result.Totals))
        {
            Assert.Equal(g.Sum(r => r.BilledCost!.Value), t.BilledCost);
            Assert.Equal(g.Sum(r => r.EffectiveCost!.Value), t.EffectiveCost);
            Assert.Equal(g.Count(), t.RowCount);
        }

        var expectedLines = visible
            .GroupBy(r => (r.BillingAccountId!, Rows.Tag(r, "Department") ?? "<null>", r.BillingCurrency!))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.BilledCost!.Value));
        Assert.Equal(expectedLines.Count, result.Lines.Count);
        Assert.All(result.Lines, l => Assert.Equal(expectedLines[(l.Keys[0]!, l.Keys[1] ?? "<null>", l.Currency)], l.BilledCost));
    }

    [Fact]
    public async Task A_filter_on_an_account_outside_the_scope_returns_nothing()
    {
        var result = await Service().QueryAsync(Query(From, To) with { Filters = [Accounts("B")] }, CostScope.Parse("account=A"));
        Assert.Empty(result.Lines);
        Assert.Empty(result.Totals);
        Assert.Equal(0, result.TotalLines);
    }

    [Fact]
    public async Task A_filter_can_narrow_the_scope_but_not_widen_it()
    {
        var scope = CostScope.Parse("account=A|B");
        var widened = await Service().QueryAsync(Query(From, To) with { Filters = [Accounts("A", "C")] }, scope);
        var expected = Loaded.Where(r => r.BillingAccountId == "A").ToList();
        Assert.Equal(expected.Sum(r => r.BilledCost!.Value), widened.Totals.Sum(t => t.BilledCost));
        Assert.Equal(expected.Count, widened.Totals.Sum(t => t.RowCount));

        var narrowed = await Service().QueryAsync(Query(From, To) with { Filters = [Department("Ops")] }, scope);
        var expectedNarrow = Loaded.Where(r => r.BillingAccountId is "A" or "B" && Rows.Tag(r, "Department") == "Ops").ToList();
        Assert.Equal(expectedNarrow.Count, narrowed.Totals.Sum(t => t.RowCount));
        Assert.Equal(expectedNarrow.Sum(r => r.BilledCost!.Value), narrowed.Totals.Sum(t => t.BilledCost));
    }

    [Fact]
    public async Task UntaggedLoaded_are_invisible_under_a_tag_scope()
    {
        // Without a scope the untagged rows exist and a null filter finds them.
        var everything = await Service().QueryAsync(Query(From, To) with { Filters = [Department((string?)null)] }, CostScope.Everything);
        var untagged = Loaded.Where(r => Rows.Tag(r, "Department") is null).ToList();
        Assert.NotEmpty(untagged);
        Assert.Equal(untagged.Count, everything.Totals.Sum(t => t.RowCount));

        var scope = CostScope.Parse("tag:Department=Eng|Ops");
        var asked = await Service().QueryAsync(Query(From, To) with { Filters = [Department((string?)null)] }, scope);
        Assert.Empty(asked.Totals);
        Assert.Empty(asked.Lines);

        var grouped = await Service().QueryAsync(Query(From, To, CostGrain.Total, CostGrouping.ForTag("Department")), scope);
        Assert.Equal(["Eng", "Ops"], grouped.Lines.Select(l => l.Keys[0]).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(Loaded.Count - untagged.Count, grouped.Totals.Sum(t => t.RowCount));
    }

    [Fact]
    public async Task A_tag_filter_outside_the_tag_scope_returns_nothing()
    {
        var result = await Service().QueryAsync(Query(From, To) with { Filters = [Department("Ops")] }, CostScope.Parse("tag:Department=Eng"));
        Assert.Empty(result.Totals);
    }

    [Fact]
    public async Task Top_N_under_a_scope_ranks_and_folds_only_visibleLoaded()
    {
        var scope = CostScope.Parse("account=C;tag:Env=prod");
        var q = Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.Service)) with
        {
            TopN = 2,
            Filters = [new CostFilter(new CostGrouping(CostDimension.Currency), ["USD"])],
        };
        var result = await Service().QueryAsync(q, scope);

        var visible = Loaded.Where(r => Rows.Visible(r, scope) && r.BillingCurrency == "USD").ToList();
        var sums = visible.GroupBy(r => r.ServiceName!).Select(g => (g.Key, Sum: g.Sum(r => r.BilledCost!.Value))).OrderByDescending(x => x.Sum).ToList();
        var top = sums.Take(2).Select(x => x.Key).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(top.Order(StringComparer.Ordinal), result.Lines.Where(l => !l.IsOther).Select(l => l.Keys[0]!).Order(StringComparer.Ordinal));
        Assert.Equal(sums.Skip(2).Sum(x => x.Sum), Assert.Single(result.Lines, l => l.IsOther).BilledCost);
        Assert.Equal(visible.Sum(r => r.BilledCost!.Value), result.Lines.Sum(l => l.BilledCost));
    }

    [Theory]
    [InlineData("account=B")]
    [InlineData("tag:Department=Ops")]
    [InlineData("account=A|C;tag:Env=dev")]
    public async Task The_data_range_counts_only_visibleLoaded(string scopeText)
    {
        var scope = CostScope.Parse(scopeText);
        var visible = Loaded.Where(r => Rows.Visible(r, scope)).ToList();
        var range = await Service().GetDataRangeAsync(scope);
        Assert.Equal(visible.Count, range.RowCount);
        Assert.Equal(visible.Min(Rows.Day), range.From);
        Assert.Equal(visible.Max(Rows.Day), range.To);
    }

    [Fact]
    public async Task The_data_range_of_a_scope_that_sees_nothing_is_empty()
    {
        var range = await Service().GetDataRangeAsync(CostScope.Parse("account=nobody"));
        Assert.Equal(0, range.RowCount);
        Assert.Null(range.From);
        Assert.Null(range.To);
    }

    [Fact]
    public async Task Summaries_under_a_scope_count_only_visibleLoaded()
    {
        var scope = CostScope.Parse("account=A;tag:Department=Eng");
        var summaries = await Service().SummarizeAsync(From, To, [], CostMeasure.Billed, scope);
        var visible = Loaded.Where(r => Rows.Visible(r, scope)).GroupBy(Rows.Currency).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(visible.Select(g => g.Key), summaries.Select(s => s.Currency));
        foreach (var (g, s) in visible.Zip(summaries))
        {
            Assert.Equal(g.Sum(r => r.BilledCost!.Value), s.TotalCost);
            Assert.Equal(45, s.Days);
        }
    }
}
