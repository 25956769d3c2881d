using Dwcp.Anomalies.Csv;

namespace Dwcp.Anomalies.Tests;

/// <summary>
/// On anomaly-free data the flagged fraction must be close to the target fp-rate α. Tolerances: a binomial count over
/// n = 3,000 scored points has a standard deviation sd = √(α(1−α)/n) (0.004 at α = 0.05); the online scores are serially
/// dependent (windows overlap), which we allow to double it, so one series must land within 3·2·sd of α and the mean
/// over five seeds within 3·2·sd/√5 (±0.011 at α = 0.05, ±0.005 at α = 0.01). Batch p-values are ranks, so batch lands
/// within a few 1/n of α (ties only lower it).
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

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.05)]
    public void Batch_flagged_fraction_on_seasonal_noise_is_the_target(double alpha)
    {
        var x = Series.Seasonal(2000, 48, noise: 2, seed: 21);
        var result = BatchAnomalyDetector.Detect(x, alpha);
        var rate = result.Scores.Count(s => s.IsAnomaly) / (double)x.Length;
        Assert.InRange(rate, alpha - (3.0 / x.Length), alpha + (1.0 / x.Length));
        Assert.All(result.Scores, s => Assert.InRange(s.Score, 0.0, 1.0));
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
