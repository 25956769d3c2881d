using Dwcp.Core;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Cost.Forecasts;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests.Forecasts;

/// <summary>
/// AWS tax posted on the 1st of every month of 2024 (1,000 + 100·m, m = 0 for January), Microsoft tax of 5,000 on the
/// same days, and AWS EC2 at 100 a day through 2024-12-31 (the last day of data).
/// </summary>
public sealed class ForecastStore : LoadedStore
{
    protected override IEnumerable<FocusRow> MakeRows()
    {
        for (var d = new DateOnly(2024, 1, 1); d <= new DateOnly(2024, 12, 31); d = d.AddDays(1))
        {
            yield return TestRows.Make("a", d, "Amazon EC2", 100m);
            if (d.Day == 1)
            {
                yield return TestRows.Make("a", d, "Tax", 1000m + (100m * (d.Month - 1)));
                yield return TestRows.Make("m", d, "Tax", 5000m, provider: "Microsoft");
            }
        }
    }
}

/// <summary>The service behind GraphQL forecastCosts, and the ForecastCostsAsync alias, on a real store.</summary>
public sealed class CostForecastServiceTests(ForecastStore loaded) : LoadedStoreTests<ForecastStore>(loaded)
{
    [Fact]
    public async Task ForecastCostsAsync_forecasts_one_providers_tax_by_posting()
    {
        // The last 365 days start on 2024-01-02, so the postings seen are February..December: 1,100 … 2,100 on a line.
        // The trend line continues it: 2025-01-01 2,200, 02-01 2,300, 03-01 2,400 (day 60 of the forecast is 1 March).
        // Microsoft's 5,000 a month must not be added.
        var service = new CostForecastService(new CostQueryService(Store));
        var list = await service.ForecastCostsAsync(CloudProvider.Aws, "Tax", ["30d", "59d", "60d", "90d"], CostScope.Everything);
        Assert.Equal(["30d", "59d", "60d", "90d"], list.Select(f => f.Period));
        decimal[] byHand = [2_200m, 4_500m, 6_900m, 6_900m];
        Assert.Equal(byHand, list.Select(f => f.Forecast.PredictedCost));
        Assert.All(list, f => Assert.StartsWith("monthly-postings(day 1", f.Forecast.Model, StringComparison.Ordinal));
        Assert.Equal(new DateOnly(2024, 1, 2), list[0].HistoryFrom);
        Assert.Equal(2_100m, list[1].Forecast.CurrentCost);   // the last 59 days hold the December posting only
    }

    [Fact]
    public async Task A_history_shorter_than_the_period_scales_the_current_cost_with_a_note()
    {
        var service = new CostForecastService(new CostQueryService(Store));
        var filters = new[] { new CostFilter(new CostGrouping(CostDimension.Service), ["Amazon EC2"]) };
        var list = await service.ForecastAsync(filters, ["7d", "30d"], CostMeasure.Billed, CostScope.Everything, historyDays: 10);
        Assert.Equal(700m, list[0].Forecast.CurrentCost);
        Assert.Equal(3_000m, list[1].Forecast.CurrentCost);   // 10 days × 100 scaled by 30/10
        Assert.Equal(10, list[1].Forecast.CurrentCostDays);
        Assert.Contains(list[1].Forecast.ConfidenceNotes, n => n.StartsWith("the history holds 10 days, fewer than the 30-day period", StringComparison.Ordinal));
        Assert.Equal(list[1].Forecast.Daily.Take(7), list[0].Forecast.Daily);
    }
}
