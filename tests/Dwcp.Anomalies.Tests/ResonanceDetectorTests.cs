using Dwcp.Anomalies.Detectors;

namespace Dwcp.Anomalies.Tests;

/// <summary>
/// The adaptive-resonance component: the fuzzy ART network against matches worked out by hand, the Haar transform and
/// the range-following features against direct arithmetic, and the detector's behaviour on repeats and novelties.
/// </summary>
public sealed class ResonanceDetectorTests
{
    [Fact]
    public void Art_founds_a_cluster_for_a_never_seen_input_and_resonates_with_a_repeat()
    {
        var art = new DualVigilanceArt(2, capacity: 10) { LowerVigilance = 0.5, UpperVigilance = 0.95 };

        Assert.Equal(ArtOutcome.NewCluster, art.Present([0.2, 0.8], learn: true));
        Assert.Equal(1, art.Count);
        Assert.Equal([0.2f, 0.8f, 0.8f, 0.2f], art.Weights(0).ToArray()); // complement coded (x, 1 − x)

        // A repeat matches perfectly: |x ∧ w| / |w| = 2/2 and the level term (0.8 ∧ 0.8 + 0.2 ∧ 0.2)/(0.8 + 0.2) = 1.
        Assert.Equal(ArtOutcome.Resonance, art.Present([0.2, 0.8], learn: true));
        Assert.Equal(1.0, art.BestMatch, 6); // weights are stored as float
        Assert.Equal(1, art.Count);

        // Never seen: x ∧ w = (0.2, 0.1, 0.1, 0.2), so the ratio is 0.6/2 = 0.3; the level term (0.1 + 0.2)/1 = 0.3;
        // M = 0.3³ · 0.3² = 0.00243 < 0.5.
        Assert.Equal(ArtOutcome.NewCluster, art.Present([0.9, 0.1], learn: true));
        Assert.Equal(0.00243, art.BestMatch, 6);
        Assert.Equal(2, art.Count);
    }

    [Fact]
    public void Art_adds_a_category_between_the_vigilances_and_refines_above_the_upper_one()
    {
        var art = new DualVigilanceArt(2, capacity: 10) { LowerVigilance = 0.5, UpperVigilance = 0.95 };
        art.Present([0.2, 0.8], learn: true);

        // (0.25, 0.8) against (0.2, 0.8 | 0.8, 0.2): x ∧ w = (0.2, 0.8, 0.75, 0.2), ratio 1.95/2 = 0.975, level term 1;
        // M = 0.975³ = 0.926859375, between 0.5 and 0.95: a new category in the same cluster.
        Assert.Equal(ArtOutcome.NewCategory, art.Present([0.25, 0.8], learn: true));
        Assert.Equal(0.926859375, art.BestMatch, 6);
        Assert.Equal(2, art.Count);

        // With the upper vigilance at 0.9 the same input refines the first category to the box minimum instead.
        var refining = new DualVigilanceArt(2, capacity: 10) { LowerVigilance = 0.5, UpperVigilance = 0.9 };
        refining.Present([0.2, 0.8], learn: true);
        Assert.Equal(ArtOutcome.Resonance, refining.Present([0.25, 0.8], learn: true));
        Assert.Equal(1, refining.Count);
        Assert.Equal([0.2f, 0.8f, 0.75f, 0.2f], refining.Weights(0).ToArray());
    }

    [Fact]
    public void Art_without_learning_only_observes_and_a_full_network_replaces_its_least_recent_category()
    {
        var art = new DualVigilanceArt(1, capacity: 2) { LowerVigilance = 0.9, UpperVigilance = 0.95 };
        Assert.Equal(ArtOutcome.Observed, art.Present([0.5], learn: false));
        Assert.Equal(0, art.Count);

        art.Present([0.1], learn: true);
        art.Present([0.9], learn: true);
        art.Present([0.1], learn: true); // the 0.1 category is now the most recently used
        art.Present([0.5], learn: true); // full: replaces the 0.9 category
        Assert.Equal(2, art.Count);
        var lows = Enumerable.Range(0, 2).Select(j => art.Weights(j)[0]).Order().ToArray();
        Assert.Equal([0.1f, 0.5f], lows);
    }

    [Fact]
    public void Art_rescale_moves_the_boxes_of_the_chosen_features_only()
    {
        var art = new DualVigilanceArt(2, capacity: 4);
        art.Present([0.2, 0.8], learn: true);
        art.Rescale(1, 2, scale: 0.5, shift: 0.25); // feature 1: 0.8 → 0.65, so its complement weight is 0.35
        Assert.Equal([0.2f, 0.65f, 0.8f, 0.35f], art.Weights(0).ToArray());
    }

    [Fact]
    public void Haar_transform_matches_the_pyramid_worked_by_hand()
    {
        var output = new double[4];
        Haar.Transform([1, 1, 1, 1], output);
        Assert.Equal([2, 0, 0, 0], output.Select(v => Math.Round(v, 12)));

        // [1, 0, 0, 0]: first level averages (1/√2, 0) and details (1/√2, 0); second level (1/2) and (1/2).
        Haar.Transform([1, 0, 0, 0], output);
        Assert.Equal([0.5, 0.5, 1 / Math.Sqrt(2), 0], output.Select(v => Math.Round(v, 12)), new RoundedComparer());
        Assert.Throws<ArgumentException>(() => Haar.Transform([1, 2, 3], new double[3]));
    }

    [Fact]
    public void Features_follow_the_running_range_and_rescale_earlier_levels_when_it_widens()
    {
        // One value per block, 4 levels, no snapping: each level is value / range once the range is known.
        var f = new ResonanceFeatures(step: 1, window: 4, levels: 4, snap: 0, typicalHistory: 16);
        var features = new double[8];
        foreach (var v in new double[] { 0, 4, 2, 1 })
        {
            Assert.True(f.Push(v, features));
        }

        Assert.Equal([0, 1, 0.5, 0.25], features[4..]);
        Assert.True(f.Push(8, features)); // range [0, 8]: the kept levels halve
        Assert.Equal((0.5, 0.0), f.Rescaled);
        Assert.Equal([0.5, 0.25, 0.125, 1], features[4..]);
        Assert.All(features, v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void Features_of_a_block_keep_a_spike_and_otherwise_the_mean()
    {
        var f = new ResonanceFeatures(step: 4, window: 2, levels: 1000, snap: 0, typicalHistory: 16);
        var features = new double[4];
        Assert.False(f.Push(10, features));
        f.Push(10, features);
        f.Push(10, features);
        Assert.True(f.Push(10, features)); // a flat block: its mean, 10; range 0 so level 0
        foreach (var v in new double[] { 10, 30, 10, 10 })
        {
            f.Push(v, features); // the spike (30) is farther from the running mean than the minimum: kept
        }

        Assert.Equal([0, 1], features[2..]);
    }

    [Fact]
    public void Detector_is_quiet_on_a_repeating_pattern_and_alarms_on_a_never_seen_one()
    {
        var options = new ResonanceOptions { WarmupLength = 750 };
        var x = Enumerable.Range(0, 3000).Select(i => 50 + (10 * Math.Sin(2 * Math.PI * i / 56))).ToArray();
        var detector = new ResonanceDetector(options);
        var repeatAlarms = 0;
        var categoriesAfterWarmup = 0;
        for (var i = 0; i < 2000; i++)
        {
            repeatAlarms += detector.Update(x[i]) > 0 ? 1 : 0;
            categoriesAfterWarmup = i == 1400 ? detector.Categories : categoriesAfterWarmup;
        }

        Assert.Equal(7, detector.Step); // ⌊750 / (8 · 13)⌋
        Assert.True(detector.IsWarm);
        Assert.Equal(0, repeatAlarms);
        Assert.Equal(categoriesAfterWarmup, detector.Categories); // repeats refine, they add nothing

        // A flat stretch at a level the series never held is a new shape.
        for (var i = 2000; i < 2100; i++)
        {
            x[i] = 75;
        }

        var alarms = new List<(int Row, double Confidence)>();
        for (var i = 2000; i < 2100; i++)
        {
            var c = detector.Update(x[i]);
            if (c > 0)
            {
                alarms.Add((i, c));
            }
        }

        Assert.NotEmpty(alarms);
        Assert.True(detector.Categories > categoriesAfterWarmup);
        Assert.All(alarms, a => Assert.InRange(a.Confidence, 0, 1));
        Assert.All(alarms, a => Assert.Equal(0, (a.Row + 1) % detector.Step)); // only rows that complete a block
        Assert.True(alarms[0].Row < 2000 + (3 * detector.Step), $"first alarm at row {alarms[0].Row}");
    }

    [Fact]
    public void Detector_scores_nothing_during_its_fixed_row_warmup()
    {
        var x = Series.Seasonal(1200, 48, noise: 1, seed: 3);
        x[300] += 50; // a spike inside the warm-up only trains the network
        var detector = new ResonanceDetector(new ResonanceOptions { WarmupLength = 500 });
        for (var i = 0; i < 500 - detector.Step; i++)
        {
            Assert.Equal(0, detector.Update(x[i]));
        }

        Assert.False(detector.IsWarm);
    }

    [Theory]
    [InlineData(6, 750)]
    [InlineData(8, 20)]
    public void Options_outside_their_range_are_rejected(int window, int warmup)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ResonanceDetector(new ResonanceOptions { FeatureWindow = window, WarmupLength = warmup }));
        Assert.Contains(window == 6 ? "power of two" : "warm-up", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ensemble_joins_a_resonance_alarm_as_the_minimum_of_its_p_and_the_mapped_confidence()
    {
        var x = Series.Seasonal(3000, 48, noise: 1, seed: 11);
        for (var i = 2200; i < 2260; i++)
        {
            x[i] = 140;
        }

        var withResonance = new OnlineDetectorOptions { Period = 48 };
        var without = withResonance with { Components = EnsembleComponents.Default & ~EnsembleComponents.Resonance };
        var fused = OnlineAnomalyDetector.ScoreAll(x, withResonance);
        var ensemble = OnlineAnomalyDetector.ScoreAll(x, without);
        var resonance = new ResonanceDetector(withResonance.Resonance);
        var alarms = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var c = resonance.Update(x[i]);
            var expected = c > 0 ? Math.Min(ensemble[i].PValue, Math.Pow(10, -(2.5 + (2 * c)))) : ensemble[i].PValue;
            alarms += c > 0 ? 1 : 0;
            Assert.Equal(expected, fused[i].PValue);
            Assert.Equal(1 - expected, fused[i].Score);
        }

        Assert.True(alarms > 0);
    }

    [Fact]
    public void Resonance_alone_flags_only_its_alarms()
    {
        var x = Series.Seasonal(3000, 48, noise: 1, seed: 12);
        for (var i = 2200; i < 2260; i++)
        {
            x[i] = 140;
        }

        var d = new OnlineAnomalyDetector(new OnlineDetectorOptions { Components = EnsembleComponents.Resonance, FpRate = 0.05 });
        var flagged = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var s = d.Score(x[i]);
            Assert.Equal(d.ResonanceConfidence > 0, s.IsAnomaly);
            Assert.Equal(d.ResonanceConfidence > 0 ? 1 - Math.Pow(10, -(2.5 + (2 * d.ResonanceConfidence))) : 0, s.Score, 15);
            flagged += s.IsAnomaly ? 1 : 0;
        }

        Assert.InRange(flagged, 1, 0.05 * x.Length);
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) < 1e-9;

        public int GetHashCode(double obj) => 0;
    }
}
