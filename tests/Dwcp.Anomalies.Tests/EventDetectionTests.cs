using Dwcp.Anomalies.Detectors;

namespace Dwcp.Anomalies.Tests;

/// <summary>
/// The event-level parts of the online ensemble: one alarm per event (refractory suppression), the distribution-shift
/// and range-breach detectors, the half-period seasonal shift and the smoothed evidence. Expected values are worked
/// out by hand or recomputed from the unsuppressed scores.
/// </summary>
public sealed class EventDetectionTests
{
    private static readonly EnsembleComponents AllOptional =
        EnsembleComponents.Default | EnsembleComponents.DistributionShift | EnsembleComponents.RangeBreach | EnsembleComponents.SeasonalShift |
        EnsembleComponents.WindowDiscord;

    [Fact]
    public void RankShift_matches_a_hand_computed_mid_rank_statistic()
    {
        // window 2, history ≥ 4: at the 6th value the history is {1, 2, 3, 4} (values leave the recent window two
        // calls later); the recent values 5 and 6 both rank above all of it (u = 1), so |1 − ½|·√(12·2) = √6.
        var d = new RankShiftDetector(window: 2, history: 10, minHistory: 4);
        var stats = new[] { 1.0, 2, 3, 4, 5, 6 }.Select(d.Update).ToArray();
        Assert.All(stats.Take(5), s => Assert.Equal(0, s));
        Assert.Equal(Math.Sqrt(6), stats[5], 12);

        // A tied value gets its mid-rank: history {1, …, 5}, so 3 has u = (2 + ½)/5 = ½; recent ranks 1 and ½.
        Assert.Equal(0.25 * Math.Sqrt(24), d.Update(3), 12);
    }

    [Fact]
    public void RankShift_is_about_half_normal_on_noise_and_large_after_a_level_shift()
    {
        var rng = new Random(11);
        var x = Enumerable.Range(0, 6000).Select(i => Series.Gaussian(rng) + (i >= 5000 ? 3 : 0)).ToArray();
        var s = Series.Online(new RankShiftDetector(window: 12), x);
        // E|N(0, 1)| = √(2/π) ≈ 0.798; the mean of 4,000 overlapping windows has sd ≈ 0.03.
        Assert.InRange(s.Skip(1000).Take(4000).Average(), 0.70, 0.90);
        Assert.True(s[5011] > 4, $"statistic 12 points into a 3σ shift: {s[5011]}");
    }

    [Fact]
    public void RangeBreach_matches_a_hand_computed_example()
    {
        var d = new RangeBreachDetector(history: 10, minHistory: 10);
        Assert.All(Enumerable.Range(0, 10).Select(i => d.Update(i)), s => Assert.Equal(0, s));
        // History 0..9: IQR = 6.75 − 2.25 = 4.5 (linear quantiles) > range/10; 12 is 3 beyond the maximum.
        Assert.Equal(3 / 4.5, d.Update(12), 12);
        // History 1..9, 12: IQR = 7.75 − 3.25 = 4.5; 5 lies 4 inside the minimum (1) and 7 inside the maximum.
        Assert.Equal(-4 / 4.5, d.Update(5), 12);
    }

    [Fact]
    public void Refractory_raises_only_weaker_repeats_below_its_level_and_leaves_the_flags_unchanged()
    {
        var x = Series.Seasonal(3000, 48, noise: 1, seed: 5);
        x[2000] += 25;
        x[2010] += 20;
        x[2600] += 20;
        // The refractory rule acts on the ensemble's p before a resonance alarm joins it (that join is tested in
        // ResonanceDetectorTests), so the rule is checked here without the resonance component.
        var plain = new OnlineDetectorOptions { Period = 48, RefractoryLength = 0, RefractoryPValue = 0.01, Components = EnsembleComponents.Default & ~EnsembleComponents.Resonance };
        var raw = OnlineAnomalyDetector.ScoreAll(x, plain);
        var suppressed = OnlineAnomalyDetector.ScoreAll(x, plain with { RefractoryLength = 300 });
        var level = plain.RefractoryPValue;
        Assert.True(raw[2000].PValue < raw[2010].PValue && raw[2010].PValue <= level, $"premise: p {raw[2000].PValue:E2}, {raw[2010].PValue:E2}");
        Assert.True(raw[2600].PValue < level, $"premise: p {raw[2600].PValue:E2}");

        for (var i = 0; i < x.Length; i++)
        {
            var recentMin = 1.0;
            for (var j = Math.Max(0, i - 300); j < i; j++)
            {
                recentMin = Math.Min(recentMin, raw[j].PValue);
            }

            var expected = raw[i].PValue <= level && raw[i].PValue >= recentMin ? level : raw[i].PValue;
            Assert.Equal(expected, suppressed[i].PValue);
            Assert.Equal(raw[i].IsAnomaly, suppressed[i].IsAnomaly); // α = 0.05 ≥ the level: flags never change
        }

        Assert.Equal(level, suppressed[2010].PValue); // the weaker repeat 10 points later
        Assert.Equal(raw[2600].PValue, suppressed[2600].PValue); // 600 points later it is a new event
    }

    [Fact]
    public void SeasonalShift_fires_on_a_cycle_that_runs_low_but_not_on_the_same_series_without_it()
    {
        var clean = Series.Seasonal(2000, 24, noise: 1, seed: 7);
        var dipped = (double[])clean.Clone();
        for (var i = 1500; i < 1524; i++)
        {
            dipped[i] -= 4;
        }

        var component = OnlineAnomalyDetector.ComponentNames.ToList().IndexOf("seasonal-shift");
        var options = new OnlineDetectorOptions { Period = 24, Components = EnsembleComponents.Default | EnsembleComponents.SeasonalShift };
        Assert.True(MinComponentP(dipped, options, component, 1500, 1530) < 1e-3);
        Assert.True(MinComponentP(clean, options, component, 1500, 1530) > 1e-3);
    }

    [Fact]
    public void Optional_parts_keep_the_false_positive_rate_on_seasonal_noise()
    {
        // Same tolerance as CalibrationTests: one series of 3,000 scored points, 3·2·binomial sd.
        var x = Series.Seasonal(4000, 48, noise: 2, seed: 3);
        var scores = OnlineAnomalyDetector.ScoreAll(x, new OnlineDetectorOptions { Components = AllOptional, SmoothingWindow = 6 });
        var rate = scores.Skip(1000).Count(s => s.IsAnomaly) / 3000.0;
        var tolerance = 3 * 2 * Math.Sqrt(0.05 * 0.95 / 3000);
        Assert.InRange(rate, 0.05 - tolerance, 0.05 + tolerance);
    }

    [Fact]
    public void Optional_parts_keep_prefix_scores_bit_for_bit()
    {
        var x = Series.Seasonal(2500, 48, noise: 2, seed: 4);
        x[1800] += 30;
        var options = new OnlineDetectorOptions { Components = AllOptional, SmoothingWindow = 6 };
        var full = OnlineAnomalyDetector.ScoreAll(x, options);
        foreach (var cut in new[] { 719, 721, 1801 })
        {
            var prefix = OnlineAnomalyDetector.ScoreAll(x.AsSpan(0, cut), options);
            for (var i = 0; i < cut; i++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(full[i].Score), BitConverter.DoubleToInt64Bits(prefix[i].Score));
            }
        }
    }

    [Fact]
    public void Invalid_event_settings_are_rejected_with_the_setting_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineAnomalyDetector(new OnlineDetectorOptions { RefractoryRatio = 0 }));
        Assert.Contains("RefractoryRatio", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineAnomalyDetector(new OnlineDetectorOptions { SmoothingWindow = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineAnomalyDetector(new OnlineDetectorOptions { RankWindow = 1 }));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineAnomalyDetector(new OnlineDetectorOptions { DiscordWindow = 1 }));
        Assert.Contains("DiscordWindow", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineAnomalyDetector(new OnlineDetectorOptions { DiscordHistory = 0 }));
    }

    private static double MinComponentP(double[] x, OnlineDetectorOptions options, int component, int from, int to)
    {
        var d = new OnlineAnomalyDetector(options);
        var min = 1.0;
        for (var i = 0; i < to; i++)
        {
            d.Score(x[i]);
            if (i >= from)
            {
                min = Math.Min(min, d.LastComponentPValues[component]);
            }
        }

        return min;
    }
}
