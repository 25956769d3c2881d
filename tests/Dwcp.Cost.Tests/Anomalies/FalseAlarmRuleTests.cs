using Dwcp.Cost.Anomalies;

namespace Dwcp.Cost.Tests.Anomalies;

/// <summary>
/// The rules that keep cost anomalies to real changes (docs/anomalies.md, "False alarms"): each with a hand-built series
/// that must not be flagged and one that must.
/// </summary>
public sealed class FalseAlarmRuleTests
{
    private static bool Weekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>Daily usage from <paramref name="first"/> to <paramref name="last"/>: level(day) × (0.8 on weekends) × (1 ± noise), seeded.</summary>
    private static decimal[] Usage(DateOnly first, DateOnly last, Func<DateOnly, double> level, double noise = 0.01, int seed = 11)
    {
        var rng = new Random(seed);
        var n = last.DayNumber - first.DayNumber + 1;
        var usage = new decimal[n];
        for (var i = 0; i < n; i++)
        {
            var day = first.AddDays(i);
            usage[i] = Math.Round((decimal)(level(day) * (Weekend(day) ? 0.8 : 1.0) * (1 + (noise * ((rng.NextDouble() * 2) - 1)))), 2);
        }

        return usage;
    }

    private static int Index(DateOnly first, DateOnly day) => day.DayNumber - first.DayNumber;

    private static bool AnyFlagged(SeriesModel model, DateOnly from, DateOnly to) =>
        Enumerable.Range(model.IndexOf(from), to.DayNumber - from.DayNumber + 1).Any(i => model.Flagged[i]);

    // ---- Materiality -------------------------------------------------------------------------------------------------

    [Fact]
    public void A_clear_but_immaterial_deviation_is_not_reported_and_a_material_one_is()
    {
        var first = new DateOnly(2024, 1, 1);
        var spike = new DateOnly(2024, 4, 10); // a Wednesday
        var small = Usage(first, new DateOnly(2024, 4, 30), _ => 1000);
        small[Index(first, spike)] += 60m; // +6%: far outside ±1% noise, but 60 < a tenth of a ~$960 day
        var large = (decimal[])small.Clone();
        large[Index(first, spike)] += 240m; // +30% in all

        // Without a floor the +6% day is statistically clear: the control that the floor is what removes it.
        Assert.True(SeriesModel.Fit(first, small, 0.05, AnomalyMateriality.None).Flagged[Index(first, spike)], "the +6% day should pass the statistical test");
        var model = SeriesModel.Fit(first, small, 0.05);
        Assert.False(model.Flagged[Index(first, spike)], "a $60 change on a ~$960/day series is below the default floor");
        var floor = AnomalyMateriality.Default.Floor(model.SpendBefore(Index(first, spike)));
        Assert.InRange(floor, 90m, 100m); // a tenth of the median of the 28 days before (weekdays 1,000, weekends 800)
        Assert.True(SeriesModel.Fit(first, large, 0.05).Flagged[Index(first, spike)], "a +30% day is material");
    }

    [Fact]
    public void A_tiny_deviation_of_a_tiny_series_is_not_reported_by_default_but_is_with_the_absolute_floor_lowered()
    {
        var first = new DateOnly(2024, 1, 1);
        var day = new DateOnly(2024, 3, 20); // a Wednesday
        var usage = Usage(first, new DateOnly(2024, 4, 30), _ => 13.15);
        usage[Index(first, day)] += 5m; // +38% of a $13/day cluster: clear, but $5

        Assert.False(SeriesModel.Fit(first, usage, 0.05).Flagged[Index(first, day)], "a $5 change is below the default $10 floor");
        Assert.True(SeriesModel.Fit(first, usage, 0.05, new AnomalyMateriality(MinImpact: 1m)).Flagged[Index(first, day)], "with a $1 floor the +38% day is reported");
    }

    [Theory]
    [InlineData(-1, 0.1)]
    [InlineData(10, -0.1)]
    [InlineData(10, 1.5)]
    [InlineData(10, double.NaN)]
    public void An_out_of_range_floor_is_refused_with_the_field_named(int minImpact, double minShare)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyMateriality(minImpact, minShare).Validate());
        Assert.Contains(minImpact < 0 ? "MinImpact" : "MinShare", ex.Message, StringComparison.Ordinal);
    }

    // ---- Warm-up -----------------------------------------------------------------------------------------------------

    [Fact]
    public void A_spike_in_the_first_two_weeks_of_a_series_is_not_reported_but_the_same_spike_later_is()
    {
        var first = new DateOnly(2024, 1, 1);
        var usage = Usage(first, new DateOnly(2024, 3, 31), _ => 1000);
        usage[10] *= 2.5m;
        usage[50] *= 2.5m;
        var model = SeriesModel.Fit(first, usage, 0.05);
        Assert.False(model.Flagged[10]);
        Assert.True(model.Flagged[50]);
    }

    // ---- Yearly pattern ----------------------------------------------------------------------------------------------

    /// <summary>A retail peak: × <paramref name="lift"/> from 22 November to 24 December.</summary>
    private static Func<DateOnly, double> Peak(double lift, double level = 1000) =>
        day => (day.Month == 11 && day.Day >= 22) || (day.Month == 12 && day.Day <= 24) ? level * lift : level;

    [Fact]
    public void Without_a_year_of_history_a_season_like_one_already_seen_is_not_flagged_but_the_first_one_is()
    {
        // The series opens in a season (×1.35 until 10 February) and comes off it: a −26% move it has already made.
        var first = new DateOnly(2024, 1, 1);
        var last = new DateOnly(2024, 12, 31);
        var seen = Usage(first, last, day => (day < new DateOnly(2024, 2, 10) ? 1350 : 1000) * Peak(1.3, 1)(day));
        var unseen = Usage(first, last, Peak(1.3));
        var peak = (From: new DateOnly(2024, 11, 22), To: new DateOnly(2024, 12, 24));

        Assert.False(AnyFlagged(SeriesModel.Fit(first, seen, 0.05), peak.From, peak.To), "a +30% season after a −26% move was flagged");
        Assert.True(AnyFlagged(SeriesModel.Fit(first, unseen, 0.05), peak.From, peak.To), "the control: a first +30% season is a change the series has never shown");

        // The allowance never hides a large change: +150% on top of the season is still reported.
        var spiked = (decimal[])seen.Clone();
        var day = Index(first, new DateOnly(2024, 12, 4));
        spiked[day] *= 2.5m;
        Assert.True(SeriesModel.Fit(first, spiked, 0.05).Flagged[day]);
    }

    [Fact]
    public void With_a_year_of_history_last_years_peak_sets_the_expectation()
    {
        var first = new DateOnly(2023, 1, 1);
        var usage = Usage(first, new DateOnly(2024, 12, 31), Peak(1.3));
        var model = SeriesModel.Fit(first, usage, 0.05);
        var peak = (From: new DateOnly(2024, 11, 22), To: new DateOnly(2024, 12, 24));
        Assert.False(AnyFlagged(model, peak.From, peak.To), "the second year's peak was flagged although the first year showed it");

        // A +100% day inside the second peak is reported, against an expectation at the peak level (1,300 on a weekday).
        var spiked = (decimal[])usage.Clone();
        var day = Index(first, new DateOnly(2024, 12, 11)); // a Wednesday
        spiked[day] *= 2m;
        var again = SeriesModel.Fit(first, spiked, 0.05);
        Assert.True(again.Flagged[day]);
        // (±6%: the causal expectation rests on the peak days seen so far, scaled by last year's ratio.)
        Assert.InRange(again.ExpectedFor(day).Usage, 1300m * 0.94m, 1300m * 1.06m);

        // The control: the same second year alone (no year behind it, no move seen) flags its peak.
        var yearOnly = usage[Index(first, new DateOnly(2024, 1, 1))..];
        Assert.True(AnyFlagged(SeriesModel.Fit(new DateOnly(2024, 1, 1), yearOnly, 0.05), peak.From, peak.To));
    }

    // ---- Month-priced storage ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("GB-Months", null, true)]
    [InlineData("GB-Mo", null, true)]
    [InlineData("GiB Month", null, true)]
    [InlineData("Month", null, true)]
    [InlineData("GB-Hours", null, false)]
    [InlineData("GB", null, false)]
    [InlineData("Requests", "Usage-Based", false)]
    [InlineData(null, "Recurring", true)]
    [InlineData(null, null, false)]
    public void Month_priced_rows_are_recognised_by_pricing_unit_or_charge_frequency(string? unit, string? frequency, bool expected) =>
        Assert.Equal(expected, MonthProration.IsMonthPriced(unit, frequency));

    [Fact]
    public void A_month_priced_cost_is_restated_by_the_ratio_of_the_days_in_the_months() =>
        Assert.Equal(29m / 31m, MonthProration.Factor(new DateOnly(2024, 2, 10), new DateOnly(2024, 3, 1)));

    /// <summary>
    /// 1,000 GB-months of storage growing 0.03% a day, billed daily as quantity × price / days in month (price 31 a
    /// GB-month / 1,000 GB, so a 31-day month costs 1,000 a day), ±0.2% noise. No weekly pattern: storage does not rest.
    /// </summary>
    private static decimal[] Storage(DateOnly first, DateOnly last, Func<DateOnly, decimal>? extra = null)
    {
        var rng = new Random(5);
        var n = last.DayNumber - first.DayNumber + 1;
        return Enumerable.Range(0, n).Select(i =>
        {
            var day = first.AddDays(i);
            var cost = 31m * 1000m / DateTime.DaysInMonth(day.Year, day.Month) * (1 + (0.0003m * i)) * (1 + (0.002m * (decimal)((rng.NextDouble() * 2) - 1)));
            return Math.Round(cost * (extra?.Invoke(day) ?? 1m), 2);
        }).ToArray();
    }

    private static (bool Before, bool After) JudgeWithProration(DateOnly first, decimal[] usage, DateOnly day)
    {
        var model = SeriesModel.Fit(first, usage, 0.05, AnomalyMateriality.None);
        var i = model.IndexOf(day);
        if (!model.IsCandidate(i))
        {
            return (model.Flagged[i], model.Flagged[i]);
        }

        // Every baseline day's cost is month-priced: restate it in the day's month (what the service does with the rows).
        var adjust = model.ExpectedFor(i).Baseline.ToDictionary(b => b, b => usage[b] * (MonthProration.Factor(first.AddDays(b), day) - 1));
        return (model.Flagged[i], model.Restate(i, adjust).Flagged);
    }

    [Fact]
    public void The_month_boundary_step_of_GB_month_storage_is_not_an_anomaly_but_real_growth_is()
    {
        var first = new DateOnly(2024, 1, 1);
        var boundaries = new[] { new DateOnly(2024, 2, 1), new DateOnly(2024, 3, 1), new DateOnly(2024, 4, 1) }; // +6.9%, −6.5%, +3.3%
        var usage = Storage(first, new DateOnly(2024, 4, 30));
        var judged = boundaries.Select(b => JudgeWithProration(first, usage, b)).ToList();
        Assert.All(judged, j => Assert.False(j.After, "restated in the day's month, the storage did not change"));

        // The control: against its baseline as billed, a boundary day is off by about the month step (3.3–6.9%); restated
        // in the day's month, by no more than the growth and noise (under 2%).
        foreach (var b in boundaries)
        {
            var model = SeriesModel.Fit(first, usage, 0.05, AnomalyMateriality.None);
            var i = model.IndexOf(b);
            var baseline = model.ExpectedFor(i).Baseline;
            var restated = model.Restate(i, baseline.ToDictionary(d => d, d => usage[d] * (MonthProration.Factor(first.AddDays(d), b) - 1))).Expected.Usage;
            var asBilled = model.ExpectedFor(i).Usage;
            Assert.True(Math.Abs(usage[i] - asBilled) / asBilled > 0.025m, $"{b}: as billed {asBilled} vs {usage[i]}");
            Assert.True(Math.Abs(usage[i] - restated) / restated < 0.02m, $"{b}: restated {restated} vs {usage[i]}");
        }

        // 20% more data stored from 1 March is flagged even after restating.
        var march = boundaries[1];
        var grown = Storage(first, new DateOnly(2024, 4, 30), day => day >= march ? 1.2m : 1m);
        Assert.Equal((true, true), JudgeWithProration(first, grown, march));
    }
}
