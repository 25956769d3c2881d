using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Tests;

public sealed class StatisticsTests
{
    [Fact]
    public void MadOfSorted_matches_the_sorting_definition_on_random_samples()
    {
        var rng = new Random(7);
        for (var n = 1; n < 60; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 20, 1)).ToArray();
            var sorted = x.Order().ToArray();
            var med = RobustStats.Median(x);
            Assert.Equal(RobustStats.Mad(x, med), RobustStats.MadOfSorted(sorted), 12);
        }
    }

    [Fact]
    public void Median_and_Mad_of_a_hand_example()
    {
        // 1 2 3 4 100: median 3, deviations 2 1 0 1 97 -> MAD 1.
        double[] x = [4, 100, 1, 3, 2];
        Assert.Equal(3, RobustStats.Median(x));
        Assert.Equal(1, RobustStats.Mad(x, 3));
    }

    [Fact]
    public void Distribution_functions_match_table_values()
    {
        Assert.Equal(0.975, RobustStats.NormalCdf(1.959964), 6);
        Assert.Equal(0.05, RobustStats.ChiSquareSurvival(3.841459, 1), 6);
        Assert.Equal(0.05, RobustStats.ChiSquareSurvival(11.0705, 5), 5);
        Assert.Equal(2.228139, RobustStats.StudentTQuantile(0.975, 10), 5);
        Assert.Equal(12.7062, RobustStats.StudentTQuantile(0.975, 1), 3);
    }

    [Fact]
    public void SortedWindow_keeps_the_last_values_sorted()
    {
        var w = new SortedWindow(5);
        var rng = new Random(3);
        var all = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var v = rng.Next(10);
            all.Add(v);
            w.Add(v);
            var expected = all.Skip(Math.Max(0, all.Count - 5)).Order().ToArray();
            Assert.Equal(expected, w.Sorted.ToArray());
        }
    }

    [Theory]
    [InlineData(37)]
    [InlineData(100)]
    [InlineData(16)]
    public void SortedWindow_growing_from_a_small_reservation_keeps_the_last_values_sorted(int capacity)
    {
        var w = new SortedWindow(capacity);
        var rng = new Random(capacity);
        var all = new List<double>();
        for (var i = 0; i < 5 * capacity; i++)
        {
            var v = Math.Round(rng.NextDouble() * 50, 1);
            all.Add(v);
            w.Add(v);
            var expected = all.Skip(Math.Max(0, all.Count - capacity)).Order().ToArray();
            Assert.Equal(expected, w.Sorted.ToArray());
            Assert.Equal(expected.Length, w.Count);
        }

        Assert.Equal(capacity, w.Capacity);
    }

    [Fact]
    public void TailCalibrator_gives_conformal_p_values_and_a_decreasing_tail()
    {
        var c = new TailCalibrator(capacity: 100, minHistory: 20, tailCount: 10);
        for (var i = 1; i <= 99; i++)
        {
            c.Add(i);
        }

        // 50 of the 99 stored values are >= 50: p = (50 + 1) / 100.
        Assert.Equal(0.51, c.PValue(50), 12);
        // Beyond the 10th largest (90) the tail is exponential: p(95) < 10/100 and p keeps falling.
        Assert.True(c.PValue(95) < 0.10);
        Assert.True(c.PValue(200) < c.PValue(120));
        Assert.True(c.PValue(200) > 0);
    }

    [Theory]
    [InlineData(24)]
    [InlineData(48)]
    [InlineData(288)]
    public void PeriodDetector_finds_the_period_of_a_noisy_sine(int period)
    {
        var x = Series.Seasonal(Math.Max(720, period * 4), period, noise: 2, seed: period);
        // Tolerance 2%: the autocorrelation peak of a sine is broad and 4 periods of noisy data place it within a few lags.
        Assert.InRange(PeriodDetector.Detect(x, 400), period * 0.98, period * 1.02);
    }

    [Fact]
    public void PeriodDetector_finds_a_weekly_cycle_over_a_daily_one()
    {
        // Hourly data: a daily sine plus a weekend dip (days 5 and 6 of each week lower by 8).
        var rng = new Random(5);
        var x = Enumerable.Range(0, 24 * 7 * 5).Select(i => 100 + (10 * Math.Sin(2 * Math.PI * i / 24)) + ((i / 24) % 7 >= 5 ? -8 : 0) + Series.Gaussian(rng)).ToArray();
        var daily = PeriodDetector.Detect(x, 400);
        Assert.Equal(24, daily);
        Assert.Equal(168, PeriodDetector.DetectSecondary(x, daily, 400));
        Assert.Equal(0, PeriodDetector.DetectSecondary(Series.Seasonal(840, 24, 1, seed: 6), 24, 400));
    }

    [Fact]
    public void PeriodDetector_reports_no_period_for_white_noise()
    {
        Assert.Equal(0, PeriodDetector.Detect(Series.Seasonal(1000, 0, 1, seed: 11)));
    }
}
