using Dwcp.Cost.Anomalies;

namespace Dwcp.Cost.Tests.Anomalies;

/// <summary>
/// The causal series model (docs/anomalies.md, "Detection"): every day of a multi-day incident is judged against the
/// level before it, and a day's verdict and expected cost use only the days up to it.
/// </summary>
public sealed class CausalSeriesModelTests
{
    private static readonly DateOnly First = new(2024, 1, 1);

    private static bool Weekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>The noise-free level of a day: 1,000 on weekdays, 800 on weekends.</summary>
    private static decimal Level(int i) => Weekend(First.AddDays(i)) ? 800m : 1000m;

    /// <summary>Level × (1 ± 2% uniform noise), seeded.</summary>
    private static decimal[] Series(int days, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, days).Select(i => Math.Round(Level(i) * (1 + (0.02m * (decimal)((rng.NextDouble() * 2) - 1))), 2)).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_day_of_a_five_day_plus_200_percent_run_is_flagged_against_the_level_before_it(int seed)
    {
        var usage = Series(140, seed);
        const int start = 100;
        for (var i = start; i < start + 5; i++)
        {
            usage[i] *= 3m;
        }

        var model = SeriesModel.Fit(First, usage, 0.05);
        for (var i = start; i < start + 5; i++)
        {
            Assert.True(model.Flagged[i], $"day {i - start + 1} of the run was not flagged");

            // Expected = the pre-incident level of that weekday, within the noise (±2%) and the estimation error.
            Assert.InRange(model.Expected[i], Level(i) * 0.96m, Level(i) * 1.04m);
        }

        // The days after the run are back at the old level and judged against it: nothing flagged, expected unchanged.
        for (var i = start + 5; i < usage.Length; i++)
        {
            Assert.False(model.Flagged[i], $"day {i} after the run was flagged");
            Assert.InRange(model.Expected[i], Level(i) * 0.96m, Level(i) * 1.04m);
        }
    }

    [Fact]
    public void A_lasting_moderate_step_is_learnt_as_the_new_level_after_its_first_day()
    {
        var usage = Series(140, 4);
        for (var i = 100; i < usage.Length; i++)
        {
            usage[i] *= 1.3m; // a fleet resized: +30% for good
        }

        var model = SeriesModel.Fit(First, usage, 0.05);
        Assert.True(model.Flagged[100], "the step's first day is a change a person should see");
        Assert.Equal(1, Enumerable.Range(100, 40).Count(i => model.Flagged[i]));
        Assert.InRange(model.Expected[^1], Level(usage.Length - 1) * 1.3m * 0.95m, Level(usage.Length - 1) * 1.3m * 1.05m);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void A_day_gets_the_same_verdict_and_expected_cost_whatever_follows_it(int seed)
    {
        var usage = Series(160, seed);
        for (var i = 90; i < 94; i++)
        {
            usage[i] *= 2.5m;
        }

        usage[120] *= 0.3m;
        var full = SeriesModel.Fit(First, usage, 0.05);
        foreach (var day in new[] { 60, 89, 90, 91, 93, 94, 100, 120, 121, 159 })
        {
            // The series cut at the day (the day is the query's last) and cut a little later.
            foreach (var end in new[] { day, day + 1, day + 7 }.Where(e => e < usage.Length))
            {
                var cut = SeriesModel.Fit(First, usage[..(end + 1)], 0.05);
                Assert.Equal(full.Expected[day], cut.Expected[day]);
                Assert.Equal(full.Flagged[day], cut.Flagged[day]);
                Assert.Equal(full.Scores[day], cut.Scores[day]);
            }
        }

        Assert.True(Enumerable.Range(90, 4).All(i => full.Flagged[i]) && full.Flagged[120], "the control: the injected days are flagged");
    }

    [Fact]
    public void On_anomaly_free_weekly_series_few_days_are_flagged()
    {
        // Calibration: 200 anomaly-free series of a year each at α = 0.05. The band is simultaneous over a year of
        // daily checks (Bonferroni over 365), so about α of the series should hold any false alarm. Measured 16 of 200
        // (8%); 2α allows for the estimation error of a 28-day baseline. Without the prediction terms it was 72.
        // Gaussian noise (σ = 3%, Box–Muller), so the tails a band must hold are there.
        var withAlarm = 0;
        for (var seed = 100; seed < 300; seed++)
        {
            var rng = new Random(seed);
            var usage = Enumerable.Range(0, 365).Select(i =>
            {
                var z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                return Math.Round(Level(i) * (1 + (0.03m * (decimal)z)), 2);
            }).ToArray();
            var model = SeriesModel.Fit(First, usage, 0.05, AnomalyMateriality.None);
            withAlarm += model.Flagged.Any(f => f) ? 1 : 0;
        }

        Assert.True(withAlarm <= 20, $"{withAlarm} of 200 anomaly-free series had a false alarm.");
    }
}
