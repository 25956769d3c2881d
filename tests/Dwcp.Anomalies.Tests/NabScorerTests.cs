using Dwcp.Anomalies.Evaluation;

namespace Dwcp.Anomalies.Tests;

/// <summary>
/// Hand cases for the NAB scorer. Expected values use NAB's definitions written independently: the scaled sigmoid
/// 2/(1+e^{5y}) − 1 equals tanh(−2.5y); a file of 100 one-minute rows has a probationary period of floor(0.15·100) = 15
/// rows; the window covers rows 40..49 (width 10).
/// </summary>
public sealed class NabScorerTests
{
    private static readonly DateTime T0 = new(2024, 1, 1);

    private static NabFile File100() => new(
        "hand.csv",
        Enumerable.Range(0, 100).Select(i => T0.AddMinutes(i)).ToArray(),
        [(T0.AddMinutes(40), T0.AddMinutes(49))]);

    private static bool[] DetectAt(params int[] rows)
    {
        var d = new bool[100];
        foreach (var r in rows)
        {
            d[r] = true;
        }

        return d;
    }

    [Fact]
    public void Probationary_period_is_15_percent_capped_at_750_rows()
    {
        Assert.Equal(15, NabScorer.ProbationaryLength(100));
        Assert.Equal(604, NabScorer.ProbationaryLength(4032));
        Assert.Equal(750, NabScorer.ProbationaryLength(22695));
    }

    [Fact]
    public void Scaled_sigmoid_matches_NABs_reference_points()
    {
        // nab/sweeper.py docstring: −1 → 0.98661, −0.5 → 0.84828, 0 → 0, 1 → −0.98661; −1 from 3.0 on.
        Assert.Equal(0.98661, NabScorer.ScaledSigmoid(-1.0), 5);
        Assert.Equal(0.84828, NabScorer.ScaledSigmoid(-0.5), 5);
        Assert.Equal(0.0, NabScorer.ScaledSigmoid(0.0), 12);
        Assert.Equal(-0.98661, NabScorer.ScaledSigmoid(1.0), 5);
        Assert.Equal(-1.0, NabScorer.ScaledSigmoid(3.0));
        Assert.True(NabScorer.ScaledSigmoid(2.99) > -1.0);
    }

    [Fact]
    public void Detection_at_the_window_start_earns_the_full_true_positive_weight()
    {
        var r = NabScorer.ScoreFile(File100(), DetectAt(40), NabProfile.Standard);
        Assert.Equal(1.0, r.RawScore, 12);
        Assert.Equal((1, 0, 0), (r.TruePositives, r.FalsePositives, r.FalseNegatives));
    }

    [Fact]
    public void Detection_at_the_window_end_earns_little()
    {
        // Position −1/10: tanh(0.25) / tanh(2.5).
        var r = NabScorer.ScoreFile(File100(), DetectAt(49), NabProfile.Standard);
        Assert.Equal(Math.Tanh(0.25) / Math.Tanh(2.5), r.RawScore, 12);
        Assert.True(r.RawScore < 0.25);
    }

    [Fact]
    public void Only_the_earliest_detection_in_a_window_counts()
    {
        var r = NabScorer.ScoreFile(File100(), DetectAt(45, 42, 48), NabProfile.Standard);
        Assert.Equal(Math.Tanh(2.5 * 8 / 10) / Math.Tanh(2.5), r.RawScore, 12); // row 42: position −8/10
    }

    [Fact]
    public void False_positive_before_any_window_costs_the_full_fp_weight_plus_the_missed_window()
    {
        var r = NabScorer.ScoreFile(File100(), DetectAt(20), NabProfile.Standard);
        Assert.Equal(-0.11 - 1.0, r.RawScore, 12);
        var lowFp = NabScorer.ScoreFile(File100(), DetectAt(20), NabProfile.RewardLowFpRate);
        Assert.Equal(-0.22 - 1.0, lowFp.RawScore, 12);
        var lowFn = NabScorer.ScoreFile(File100(), DetectAt(20), NabProfile.RewardLowFnRate);
        Assert.Equal(-0.11 - 2.0, lowFn.RawScore, 12);
    }

    [Fact]
    public void False_positive_after_a_window_is_weighted_by_its_distance()
    {
        // Row 60: |49 − 60| / (10 − 1) past the window; the window itself was caught at its start.
        var r = NabScorer.ScoreFile(File100(), DetectAt(40, 60), NabProfile.Standard);
        Assert.Equal(1.0 + (0.11 * Math.Tanh(-2.5 * 11 / 9.0)), r.RawScore, 12);
        Assert.Equal(1, r.FalsePositives);
    }

    [Fact]
    public void Detections_in_the_probationary_period_are_ignored()
    {
        var r = NabScorer.ScoreFile(File100(), DetectAt(5), NabProfile.Standard);
        Assert.Equal(-1.0, r.RawScore, 12);
        Assert.Equal(0, r.FalsePositives);
    }

    [Fact]
    public void Empty_detector_scores_zero_and_perfect_detector_scores_100_after_normalisation()
    {
        var file = File100();
        var empty = NabScorer.Optimise([(file, new double[100])], NabProfile.Standard);
        Assert.Equal(0.0, empty.NormalisedScore, 12);
        Assert.Equal(-1.0, empty.NullScore);
        var perfectScores = new double[100];
        perfectScores[40] = 1;
        var perfect = NabScorer.Optimise([(file, perfectScores)], NabProfile.Standard);
        Assert.Equal(100.0, perfect.NormalisedScore, 9);
    }

    [Fact]
    public void Optimise_picks_the_threshold_that_maximises_the_corpus_score()
    {
        // Row 40 (window start) scores 0.9, an FP at row 70 scores 0.8, another FP at row 80 scores 0.95.
        // Thresholds: 0.95 → FP only (−1 − fp); 0.9 → TP + FP(80); 0.8 → TP + 2 FPs. The best is 0.9.
        var scores = new double[100];
        scores[40] = 0.9;
        scores[70] = 0.8;
        scores[80] = 0.95;
        var r = NabScorer.Optimise([(File100(), scores)], NabProfile.Standard);
        Assert.Equal(0.9, r.Threshold);
        var fp80 = -0.11; // 31/9 = 3.4 window widths past the window: beyond NAB's cutoff of 3, so the full FP weight

        Assert.Equal(1.0 + fp80, r.RawScore, 12);
        Assert.Equal(100 * (1.0 + fp80 + 1.0) / 2.0, r.NormalisedScore, 9);
    }
}
