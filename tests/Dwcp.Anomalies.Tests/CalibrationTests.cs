using Dwcp.Anomalies.Csv;

namespace Dwcp.Anomalies.Tests;

/// <summary>
/// On anomaly-free data the flagged fraction must be close to the target fp-rate α. Tolerances: a binomial count over
/// n = 3,000 scored points has a standard deviation sd = √(α(1−α)/n) (0.004 at α = 0.05); the online scores are serially
/// dependent (windows overlap), which we allow to double it, so one series must land within 3·2·sd of α and the mean
/// over five seeds within 3·2·sd/√5 (±0.011 at α = 0.05, ±0.005 at α = 0.01). Batch p-values come from each statistic's
/// null fitted on the bulk of the series (docs/anomalies.md), so batch counts vary around α·n like the online ones.
/// </summary>
public sealed class CalibrationTests
{
    private const int WarmUp = 1000;

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.05)]
    [InlineData(0.10)]
    public void Online_flagged_fraction_on_seasonal_noise_is_near_the_target(double alpha)
    {
        var rates = new List<double>();
        for (var seed = 1; seed <= 5; seed++)
        {
            var x = Series.Seasonal(4000, 48, noise: 2, seed);
            var scores = OnlineAnomalyDetector.ScoreAll(x, new OnlineDetectorOptions { FpRate = alpha });
            var rate = scores.Skip(WarmUp).Count(s => s.IsAnomaly) / (double)(x.Length - WarmUp);
            Assert.InRange(rate, alpha - Tolerance(alpha, 1), alpha + Tolerance(alpha, 1));
            // The flag is exactly the score threshold 1 − α.
            Assert.All(scores, s => Assert.Equal(s.Score >= AnomalyScore.ThresholdFor(alpha) - 1e-12, s.IsAnomaly));
            rates.Add(rate);
        }

        Assert.InRange(rates.Average(), alpha - Tolerance(alpha, 5), alpha + Tolerance(alpha, 5));
    }

    private static double Tolerance(double alpha, int series) => 3 * 2 * Math.Sqrt(alpha * (1 - alpha) / 3000) / Math.Sqrt(series);

    [Fact]
    public void Batch_flagged_fraction_on_seasonal_noise_is_near_the_target_and_comes_from_the_null_not_from_ranks()
    {
        // p-values do not depend on α, so one run per seed serves every α. Tolerances as for online (n = 2,000): one
        // series within 3·2·sd of α at α = 0.05 (±0.029); at α = 0.01 CUSUM's serially dependent runs make single series
        // vary more, so only the five-seed mean is held to 3·2·sd/√5, and each series to at most 3α.
        var counts = new Dictionary<double, List<int>> { [0.01] = [], [0.05] = [] };
        for (var seed = 21; seed <= 25; seed++)
        {
            var x = Series.Seasonal(2000, 48, noise: 2, seed);
            var result = BatchAnomalyDetector.Detect(x, new BatchDetectorOptions()); // the default set, with the forecast breach
            Assert.All(result.Scores, s => Assert.InRange(s.Score, 0.0, 1.0));
            Assert.All(result.Scores, s => Assert.Equal(s.PValue <= 0.05, s.IsAnomaly));
            foreach (var alpha in counts.Keys)
            {
                counts[alpha].Add(result.Scores.Count(s => s.PValue <= alpha));
            }
        }

        var bound = 3 * 2 * Math.Sqrt(0.05 * 0.95 / 2000);
        Assert.All(counts[0.05], c => Assert.InRange(c / 2000.0, 0.05 - bound, 0.05 + bound));
        Assert.All(counts[0.01], c => Assert.InRange(c / 2000.0, 0, 0.03));
        foreach (var (alpha, c) in counts)
        {
            var meanBound = 3 * 2 * Math.Sqrt(alpha * (1 - alpha) / 2000) / Math.Sqrt(5);
            Assert.InRange(c.Average() / 2000.0, alpha - meanBound, alpha + meanBound);

            // Rank calibration would flag α·n on every series; a null-distribution threshold gives a binomial-like count.
            Assert.True(c.Distinct().Count() >= 3, $"α = {alpha}: counts {string.Join(", ", c)} look fixed by construction");
        }
    }

    [Fact]
    public void Batch_classic_components_under_the_null_calibration_are_calibrated_the_same_way()
    {
        var counts = new List<int>();
        for (var seed = 21; seed <= 25; seed++)
        {
            var options = new BatchDetectorOptions { Components = BatchComponents.Classic };
            counts.Add(BatchAnomalyDetector.Detect(Series.Seasonal(2000, 48, noise: 2, seed), options).Scores.Count(s => s.IsAnomaly));
        }

        var meanBound = 3 * 2 * Math.Sqrt(0.05 * 0.95 / 2000) / Math.Sqrt(5);
        Assert.InRange(counts.Average() / 2000.0, 0.05 - meanBound, 0.05 + meanBound);
        Assert.True(counts.Distinct().Count() >= 3, $"counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void The_cost_pipelines_rank_quota_flags_alpha_n_candidates_on_any_data_so_it_is_not_the_default()
    {
        // The three-argument overload keeps the rank quota for Dwcp.Cost: at α = 0.01 it flags 20 of 2,000 points even
        // when 60 of them are ±10σ spikes, so at least 40 are missed; the calibrated default flags all 60.
        var x = Series.Seasonal(2000, 48, noise: 2, seed: 5);
        var rng = new Random(9);
        var spikes = Enumerable.Range(0, 60).Select(i => 100 + (i * 31)).ToArray();
        foreach (var i in spikes)
        {
            x[i] += rng.Next(2) == 0 ? -20 : 20;
        }

        var quota = BatchAnomalyDetector.Detect(x, 0.01);
        Assert.InRange(quota.Scores.Count(s => s.IsAnomaly), 17, 20);
        var calibrated = BatchAnomalyDetector.Detect(x, new BatchDetectorOptions { FpRate = 0.01 });
        Assert.All(spikes, i => Assert.True(calibrated.Scores[i].IsAnomaly, $"spike at {i}"));
    }

    [Fact]
    public void Batch_on_pure_noise_plus_one_spike_flags_the_spike_and_about_alpha_n_others()
    {
        var others = new List<int>();
        for (var seed = 1; seed <= 3; seed++)
        {
            var rng = new Random(seed);
            var x = Enumerable.Range(0, 2000).Select(_ => Series.Gaussian(rng)).ToArray();
            x[1200] += 8;
            var scores = BatchAnomalyDetector.Detect(x, new BatchDetectorOptions { Period = 0 }).Scores;
            Assert.True(scores[1200].IsAnomaly);
            Assert.True(scores[1200].PValue < 1e-4, $"p at the spike {scores[1200].PValue:E2}");
            others.Add(scores.Where((_, i) => i != 1200).Count(s => s.IsAnomaly));
        }

        // α·n = 100 others, binomial sd 9.7, doubled for serial dependence: within ±58 — and not pinned at 99.
        Assert.All(others, o => Assert.InRange(o, 100 - 58, 100 + 58));
        Assert.True(others.Distinct().Count() > 1, $"others {string.Join(", ", others)}");
    }

    [Fact]
    public void Batch_flags_every_injected_spike_even_when_there_are_more_than_alpha_n()
    {
        // 60 spikes of ±10σ in 2,000 points at α = 0.01: ranks would flag 20 points, so 40 spikes would be missed.
        var x = Series.Seasonal(2000, 48, noise: 2, seed: 5);
        var rng = new Random(9);
        var spikes = Enumerable.Range(0, 60).Select(i => 100 + (i * 31)).ToArray();
        foreach (var i in spikes)
        {
            x[i] += rng.Next(2) == 0 ? -20 : 20;
        }

        var scores = BatchAnomalyDetector.Detect(x, new BatchDetectorOptions { FpRate = 0.01 }).Scores;
        Assert.All(spikes, i => Assert.True(scores[i].IsAnomaly, $"spike at {i}: p = {scores[i].PValue:E2}"));
        Assert.InRange(scores.Count(s => s.IsAnomaly), 60, 60 + 40);
    }

    [Theory]
    [InlineData("art_noisy.csv")]
    [InlineData("art_daily_small_noise.csv")]
    public void Online_flagged_fraction_on_NAB_noise_files_is_near_the_target(string file)
    {
        var x = SeriesCsv.Read(RepoPaths.Of("data", "nab", "data", "artificialNoAnomaly", file)).Select(r => r.Value).ToArray();
        var scores = OnlineAnomalyDetector.ScoreAll(x);
        var rate = scores.Skip(WarmUp).Count(s => s.IsAnomaly) / (double)(x.Length - WarmUp);
        Assert.InRange(rate, 0.05 - Tolerance(0.05, 1), 0.05 + Tolerance(0.05, 1));
    }

    [Theory]
    [InlineData("art_daily_no_noise.csv")]
    [InlineData("art_daily_perfect_square_wave.csv")]
    [InlineData("art_flatline.csv")]
    public void Online_on_noiseless_NAB_files_never_exceeds_the_target(string file)
    {
        // Deterministic series give many tied statistics; ties count against a point, so the rate can only fall below α.
        var x = SeriesCsv.Read(RepoPaths.Of("data", "nab", "data", "artificialNoAnomaly", file)).Select(r => r.Value).ToArray();
        var scores = OnlineAnomalyDetector.ScoreAll(x);
        var rate = scores.Skip(WarmUp).Count(s => s.IsAnomaly) / (double)(x.Length - WarmUp);
        Assert.InRange(rate, 0, 0.05 + Tolerance(0.05, 1));
    }

    [Fact]
    public void Online_scores_stay_in_the_unit_interval_and_spikes_score_near_one()
    {
        var x = Series.Seasonal(3000, 48, noise: 1, seed: 8);
        x[2500] += 25;
        var scores = OnlineAnomalyDetector.ScoreAll(x);
        Assert.All(scores, s => Assert.InRange(s.Score, 0.0, 1.0));
        Assert.True(scores[2500].Score > 0.999, $"score at the spike {scores[2500].Score}");
        Assert.True(scores[2500].IsAnomaly);
    }

    [Fact]
    public void Online_ensemble_fires_at_the_start_of_a_level_shift()
    {
        var x = Series.Seasonal(3000, 48, noise: 1, seed: 9);
        for (var i = 2500; i < x.Length; i++)
        {
            x[i] += 6;
        }

        var scores = OnlineAnomalyDetector.ScoreAll(x);
        // The most significant point after warm-up is at the start of the shift (not somewhere after it).
        var best = Series.ArgMax(scores.Select(s => -s.PValue).ToArray(), 1000);
        Assert.InRange(best, 2500, 2503);
        Assert.True(scores[best].PValue < 1e-4, $"p = {scores[best].PValue:E2}");
    }

    [Fact]
    public void Online_detector_detects_the_period_when_not_given()
    {
        var d = new OnlineAnomalyDetector();
        foreach (var v in Series.Seasonal(800, 48, 1, seed: 2))
        {
            d.Score(v);
        }

        Assert.Equal(48, d.Period);
    }

    [Fact]
    public void Online_detector_rejects_time_going_backwards()
    {
        var d = new OnlineAnomalyDetector();
        d.Score(new DateTime(2024, 1, 2), 1);
        var e = Assert.Throws<ArgumentException>(() => d.Score(new DateTime(2024, 1, 1), 2));
        Assert.Contains("earlier than the previous", e.Message);
    }
}
