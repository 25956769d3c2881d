using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Tests;

namespace Dwcp.Storage.Tests;

/// <summary>
/// Sampled (approximate) aggregations, percentiles and the two read paths, the same cases for every store (DuckDB here;
/// the ClickHouse tests link this file). Expected values are computed here from the generated rows, never by a store.
/// </summary>
public abstract class ApproximateQueryContract
{
    /// <summary>A store holding <see cref="ApproximateData.Rows"/> as one committed load.</summary>
    protected abstract Task<ICostStore> StoreAsync();

    private static readonly DateOnly From = ApproximateData.From;
    private static readonly DateOnly To = ApproximateData.To;

    [Fact]
    public async Task An_exact_aggregation_is_never_sampled_and_equals_the_rows()
    {
        var store = await StoreAsync();
        var lines = await store.AggregateAsync(new CostAggregation { From = From, To = To });
        foreach (var line in lines)
        {
            var rows = ApproximateData.Rows.Where(r => r.BillingCurrency == line.Currency).ToList();
            Assert.Null(line.Estimate);
            Assert.Null(line.Percentiles);
            Assert.Equal(rows.Count, line.RowCount);
            Assert.Equal(rows.Sum(r => r.BilledCost!.Value), line.BilledCost);
            Assert.Equal(rows.Sum(r => r.ListCost!.Value), line.ListCost);
        }

        Assert.Equal(["EUR", "USD"], lines.Select(l => l.Currency).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    public async Task Sampled_totals_fall_inside_their_stated_95_percent_intervals(double ratio)
    {
        var store = await StoreAsync();
        var lines = await store.AggregateAsync(new CostAggregation { From = From, To = To, Sample = ratio });
        Assert.Equal(2, lines.Count);
        foreach (var line in lines)
        {
            var rows = ApproximateData.Rows.Where(r => r.BillingCurrency == line.Currency).ToList();
            var estimate = Assert.IsType<CostEstimate>(line.Estimate);
            Assert.Equal(ratio, estimate.Ratio);
            // Really a sample: about ratio × n rows, and an estimate that differs from the exact sum.
            Assert.InRange(estimate.RowsScanned, (long)(rows.Count * ratio * 0.7), (long)(rows.Count * ratio * 1.3));
            Assert.Equal(CostEstimate.ScaleCount(ratio, estimate.RowsScanned), line.RowCount);
            var billed = rows.Sum(r => r.BilledCost!.Value);
            Assert.NotEqual(billed, line.BilledCost);
            Assert.True(estimate.Billed.Contains(billed), $"{line.Currency} billed {billed} not in [{estimate.Billed.Lower}, {estimate.Billed.Upper}] at {ratio}");
            Assert.True(estimate.Effective.Contains(rows.Sum(r => r.EffectiveCost!.Value)), $"{line.Currency} effective at {ratio}");
            Assert.True(estimate.List.Contains(rows.Sum(r => r.ListCost!.Value)), $"{line.Currency} list at {ratio}");
            // The interval is the documented one: estimate ± 1.96 √((1 − p)/p² Σ y²), so strictly wider than nothing.
            Assert.True(estimate.Billed.Upper - estimate.Billed.Lower > 0);
            Assert.Equal(line.BilledCost, (estimate.Billed.Lower + estimate.Billed.Upper) / 2, 6);
        }
    }

    [Fact]
    public async Task Per_group_intervals_cover_the_exact_sums_about_95_percent_of_the_time()
    {
        var store = await StoreAsync();
        var spec = new CostAggregation { From = From, To = To, GroupBy = [new CostGrouping(CostDimension.Service)], Grain = CostGrain.Week, Sample = 0.2 };
        var lines = await store.AggregateAsync(spec);
        var exact = ApproximateData.Rows
            .GroupBy(r => (Week: Monday(r.ChargePeriodStart!.Value), r.ServiceName, r.BillingCurrency))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.BilledCost!.Value));
        var covered = lines.Count(l => l.Estimate!.Billed.Contains(exact[(l.PeriodStart!.Value, l.Keys[0], l.Currency)]));
        Assert.True(lines.Count > 100, $"only {lines.Count} lines");
        // Expected 95%; the normal approximation is rougher for small groups, so at least 85% is asked.
        Assert.True(covered >= lines.Count * 0.85, $"{covered} of {lines.Count} intervals hold the exact sum");
    }

    [Fact]
    public async Task A_sample_of_ratio_one_is_exact_with_zero_width_and_a_ratio_always_selects_the_same_rows()
    {
        var store = await StoreAsync();
        var spec = new CostAggregation { From = From, To = To, GroupBy = [new CostGrouping(CostDimension.Service)] };
        var exact = (await store.AggregateAsync(spec)).Select(Describe).ToList();
        var full = await store.AggregateAsync(spec with { Sample = 1 });
        Assert.Equal(exact, full.Select(Describe));
        Assert.All(full, l => Assert.Equal(l.BilledCost, l.Estimate!.Billed.Lower));
        Assert.All(full, l => Assert.Equal(l.BilledCost, l.Estimate!.Billed.Upper));

        var once = (await store.AggregateAsync(spec with { Sample = 0.3 })).Select(Describe).ToList();
        var again = (await store.AggregateAsync(spec with { Sample = 0.3 })).Select(Describe).ToList();
        Assert.Equal(once, again);
        Assert.NotEqual(exact, once);
    }

    [Fact]
    public async Task Percentiles_are_those_of_per_row_cost()
    {
        var store = await StoreAsync();
        var filters = new[] { new CostFilter(new CostGrouping(CostDimension.Service), ["Compute"]) };
        var lines = await store.AggregateAsync(new CostAggregation { From = From, To = To, Filters = filters, Percentiles = true, RankBy = CostMeasure.Effective });
        foreach (var line in lines)
        {
            // Linear interpolation between order statistics (DuckDB quantile_cont; ClickHouse quantile under 8,192 values).
            var values = ApproximateData.Rows.Where(r => r.ServiceName == "Compute" && r.BillingCurrency == line.Currency)
                .Select(r => (double)r.EffectiveCost!.Value).Order().ToArray();
            Assert.True(values.Length < 8192);
            var p = Assert.IsType<CostPercentiles>(line.Percentiles);
            Assert.Equal(Quantile(values, 0.95), p.P95, 6);
            Assert.Equal(Quantile(values, 0.99), p.P99, 6);
            Assert.Null(line.Estimate);
        }

        Assert.Equal(2, lines.Count);
    }

    [Fact]
    public async Task The_rollup_and_the_raw_rows_answer_every_dashboard_query_shape_alike()
    {
        var store = await StoreAsync();
        foreach (var spec in ApproximateData.DashboardShapes())
        {
            Assert.True(spec.RollupCanAnswer);
            var raw = (await store.AggregateAsync(spec with { Source = CostSource.Raw })).Select(Describe).ToList();
            var rollup = (await store.AggregateAsync(spec with { Source = CostSource.Rollup })).Select(Describe).ToList();
            Assert.NotEmpty(raw);
            Assert.Equal(raw, rollup);
            Assert.Equal(await store.CountLinesAsync(spec with { Source = CostSource.Raw, Limit = null }),
                await store.CountLinesAsync(spec with { Source = CostSource.Rollup, Limit = null }));
        }
    }

    internal static string Describe(CostLine l) => string.Join('|',
        l.PeriodStartTime is { TimeOfDay.Ticks: > 0 } hour ? hour.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : l.PeriodStart?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), string.Join(',', l.Keys.Select(k => k ?? "∅")), l.Currency,
        N(l.BilledCost), N(l.EffectiveCost), N(l.ListCost), l.ConsumedQuantity is { } q ? N(q) : "-", l.ConsumedUnit, l.RowCount, l.IsOther);

    private static string N(decimal d) => d.ToString("0.###############", CultureInfo.InvariantCulture);

    private static DateOnly Monday(DateTime t)
    {
        var d = DateOnly.FromDateTime(t);
        return d.AddDays(-(((int)d.DayOfWeek + 6) % 7));
    }

    private static double Quantile(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }
}

/// <summary>A seeded data set for sampling: 12,000 rows over two months, two accounts, two currencies, skewed costs.</summary>
public static class ApproximateData
{
    public static readonly DateOnly From = new(2024, 1, 1);
    public static readonly DateOnly To = new(2024, 2, 29);

    private static readonly string[] Services = ["Compute", "Storage", "Database", "Network", "Queue", "Functions"];

    /// <summary>The rows (built once; never mutated).</summary>
    public static IReadOnlyList<FocusRow> Rows { get; } = Build();

    /// <summary>The dashboard's query shapes, all answerable by the daily rollup.</summary>
    public static IEnumerable<CostAggregation> DashboardShapes()
    {
        var service = new CostGrouping(CostDimension.Service);
        yield return new CostAggregation { From = From, To = To };
        yield return new CostAggregation { From = From, To = To, GroupBy = [service], Grain = CostGrain.Day };
        yield return new CostAggregation { From = From, To = To, GroupBy = [service], Limit = 3 };
        yield return new CostAggregation { From = From, To = To, GroupBy = [service], Grain = CostGrain.Week, KeepKeys = [["Compute"], ["Storage"]] };
        yield return new CostAggregation { From = From.AddDays(9), To = To.AddDays(-5), GroupBy = [new CostGrouping(CostDimension.Region), new CostGrouping(CostDimension.BillingAccount)], Grain = CostGrain.Month };
        yield return new CostAggregation
        {
            From = From, To = To, GroupBy = [new CostGrouping(CostDimension.Provider)], RankBy = CostMeasure.Effective,
            Filters = [new CostFilter(new CostGrouping(CostDimension.Provider), ["AWS"]), new CostFilter(new CostGrouping(CostDimension.Region), ["eu-west-1", null])],
        };
    }

    private static List<FocusRow> Build()
    {
        var rng = new Random(20240101);
        var days = To.DayNumber - From.DayNumber + 1;
        var list = new List<FocusRow>(12_000);
        for (var i = 0; i < 12_000; i++)
        {
            var day = From.AddDays(rng.Next(days));
            // Log-normal costs: most rows small, a long tail of large ones (as billing data is).
            var billed = decimal.Round((decimal)Math.Exp((rng.NextDouble() * 2 - 1) * 2.5) * 3m, 6);
            var row = TestRows.Make(
                rng.Next(2) == 0 ? "A1" : "A2", day, Services[rng.Next(Services.Length)], billed,
                effective: decimal.Round(billed * 0.9m, 6), list: decimal.Round(billed * 1.1m, 6),
                provider: rng.Next(4) == 0 ? "Azure" : "AWS", currency: rng.Next(5) == 0 ? "EUR" : "USD",
                region: rng.Next(6) switch { 0 => null, 1 => "eu-west-1", _ => "us-east-1" },
                consumed: rng.Next(3) == 0 ? null : decimal.Round((decimal)rng.NextDouble() * 10m, 4), unit: "Hours");
            list.Add(row);
        }

        return list;
    }
}
