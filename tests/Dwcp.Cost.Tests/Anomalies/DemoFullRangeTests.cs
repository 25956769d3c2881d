using Dwcp.Anomalies.Costs;
using Dwcp.Core.Costs;
using Dwcp.Cost.Anomalies;

namespace Dwcp.Cost.Tests.Anomalies;

public sealed partial class DemoAnomalyTests
{
    /// <summary>The demo's retail peak (Nov 22 – Dec 24, usage × 1.3, Dwcp.Demo Window.IsPeakSeason) and its end.</summary>
    private static bool InPeakSeason(DateOnly day) => day >= new DateOnly(2024, 11, 22);

    /// <summary>
    /// The whole demo year at the default fp-rate. Every incident is found; no tax or credit and nothing high or critical
    /// is reported outside an incident; and the false alarms (flags on no incident of incidents.json) stay within a bound.
    /// History: 1,669 anomalies (1,639 false) before the calendar model and the simultaneous band; 242 false before the
    /// false-alarm rules (90 in the retail peak, 45 GB-month storage steps, 4 in the data's first two weeks, and 103
    /// swings and fleet steps, 70 of them smaller than a tenth of a day's spend); 25 after them (docs/anomalies.md).
    /// </summary>
    [Fact]
    public async Task Over_the_whole_demo_year_only_the_injected_incidents_raise_serious_alarms_and_false_alarms_are_bounded()
    {
        var from = new DateOnly(2023, 12, 1);
        var report = await demo.Service().DetectAnomaliesAsync(new AnomalyRequest { From = from, To = demo.LastDay }, CostScope.Everything);

        bool OnIncident(StoreCostAnomaly a, RecordedIncident i)
        {
            var day = DateOnly.FromDateTime(a.Anomaly.Timestamp);
            return a.Anomaly.Service == i.Service && a.Anomaly.Provider == i.ProviderName && day >= i.StartDate.AddDays(-1) && day <= i.EndDate.AddDays(1);
        }

        foreach (var incident in demo.Incidents)
        {
            Assert.Contains(report.Anomalies, a => OnIncident(a, incident) && a.Anomaly.Account is null
                && DateOnly.FromDateTime(a.Anomaly.Timestamp) <= incident.StartDate.AddDays(1) && a.Anomaly.ActualCost > a.Anomaly.ExpectedCost);
        }

        // Every anomaly names at least one probable cause and action (the fallback rule fires whenever no other does).
        Assert.All(report.Anomalies, a => Assert.NotEmpty(a.Anomaly.ProbableCauses));
        Assert.All(report.Anomalies, a => Assert.NotEmpty(a.Anomaly.RecommendedActions));

        // Every reported day passes the absolute materiality floor (10 by default).
        Assert.All(report.Anomalies, a => Assert.True(a.Impact >= AnomalyMateriality.Default.MinImpact, $"{a.Id}: impact {a.Impact}"));

        // False alarms: the flags that overlap no incident of incidents.json (same provider and service, within a day of it).
        var others = report.Anomalies.Where(a => !demo.Incidents.Any(i => OnIncident(a, i))).ToList();
        var days = others.Select(a => DateOnly.FromDateTime(a.Anomaly.Timestamp)).ToList();
        Assert.DoesNotContain(others, a => a.Anomaly.Service == "Tax");
        Assert.DoesNotContain(others, a => a.Anomaly.RootCauses.FirstOrDefault() is { Dimension: CostDimensions.ChargeCategory, Value: "Tax" or "Credit" or "Purchase" });
        Assert.DoesNotContain(others, a => a.Anomaly.Severity >= AnomalySeverity.High);

        // Warm-up: nothing in the first two weeks of the data (4 before).
        Assert.DoesNotContain(days, d => d < from.AddDays(SeriesModel.WarmUpDays));

        // GB-month storage: no month-boundary day whose largest SKU movement is a storage SKU (45 before).
        Assert.DoesNotContain(others, a => DateOnly.FromDateTime(a.Anomaly.Timestamp).Day <= 3
            && a.Breakdown[CostDimensions.Sku].MaxBy(c => Math.Abs(c.DollarDelta)) is { } top
            && (top.Value.Contains("Storage", StringComparison.OrdinalIgnoreCase) || top.Value.Contains("Stored", StringComparison.OrdinalIgnoreCase)));

        // The retail peak: 13 months of data hold no earlier 22 November, so a series that has not shown a comparable move
        // before may still flag the season's first days. Measured 11 (90 before); 15 leaves room for a detector change
        // elsewhere and still fails if the yearly rules stop working.
        var inPeak = days.Count(InPeakSeason);
        Assert.True(inPeak <= 15, $"{inPeak} false alarms in the retail peak season.");

        // The bound. What is left is (a) statistical: the band is family-wise, about α = 5% chance of a false alarm per
        // series over its history, so about 0.05 · 105 ≈ 5 in all; (b) the real fleet changes the generator makes and does
        // not record as incidents (a database or cache cluster started, stopped or resized: 11 days measured); and (c) the
        // first peak days above. Measured 25 in about 105 · 397 ≈ 41,700 series-days. 40 is that plus the peak's margin and room for a
        // detector change elsewhere; any one of the causes removed coming back (peak 90, storage 45, swings and steps below the floor 70) breaks it.
        // Since the causal model (each day judged only from the days before it, issue 6 audit), measured 16: a lasting
        // move is reported on its first day only, every incident day is found, and the first four weeks are warm-up.
        // 30 keeps room and still fails if the new-level rule stops working (8 days per step: about 60).
        Assert.True(others.Count <= 30, $"{others.Count} false alarms over the demo year: {string.Join("; ", others.Take(50).Select(a => $"{a.Anomaly.Service} {a.Anomaly.Account} {a.Anomaly.Timestamp:yyyy-MM-dd} {a.Anomaly.DeviationPercentage:0}%"))}");
    }
}

public sealed partial class DemoAnomalyTests
{
    [Fact]
    public async Task A_materiality_floor_out_of_range_is_refused_with_the_field_named()
    {
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => demo.Service().DetectAnomaliesAsync(
            new AnomalyRequest { Materiality = new AnomalyMateriality(MinShare: 2) }, CostScope.Everything));
        Assert.StartsWith("materiality.MinShare: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("between 0 and 1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
    }
}
