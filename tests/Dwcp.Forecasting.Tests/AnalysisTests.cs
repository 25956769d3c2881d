using Dwcp.Forecasting.Analysis;
using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

public class AnalysisTests
{
    [Fact]
    public void Detects_daily_and_weekly_seasonality_and_none_in_noise()
    {
        var p = SeriesAnalysis.Analyze(Sim.TwoSeasons(24 * 7 * 6, 0.3, 1), [24, 168]);
        Assert.Equal([24, 168], p.PresentPeriods);
        Assert.All(p.Seasonalities, s => Assert.True(s.Strength > 0.9, $"{s.Period}: {s.Strength}"));

        var noise = SeriesAnalysis.Analyze(Sim.Ar1(24 * 7 * 6, 0, 10, 1, 2), [24, 168]);
        Assert.Empty(noise.PresentPeriods);
    }

    [Fact]
    public void Periods_without_two_full_cycles_have_no_strength()
    {
        var p = SeriesAnalysis.Analyze(Sim.TwoSeasons(300, 0.3, 1), [24, 168]);
        Assert.Equal([24], p.PresentPeriods);
        Assert.Equal(0, p.Seasonalities.Single(s => s.Period == 168).Strength);
    }

    [Fact]
    public void Classifies_trends()
    {
        var rng = new Random(3);
        var up = Enumerable.Range(0, 100).Select(t => 100 + 2.0 * t + Sim.Gauss(rng)).ToArray();
        var down = up.Reverse().ToArray();
        var flat = Enumerable.Range(0, 100).Select(_ => 100 + Sim.Gauss(rng)).ToArray();
        var exp = Enumerable.Range(0, 100).Select(t => 10 * Math.Exp(0.05 * t) * (1 + 0.01 * Sim.Gauss(rng))).ToArray();
        Assert.Equal((TrendDirection.Increasing, TrendShape.Linear), Pick(SeriesAnalysis.ClassifyTrend(up)));
        Assert.Equal(TrendDirection.Decreasing, SeriesAnalysis.ClassifyTrend(down).Direction);
        Assert.Equal((TrendDirection.Stable, TrendShape.None), Pick(SeriesAnalysis.ClassifyTrend(flat)));
        Assert.Equal((TrendDirection.Increasing, TrendShape.Exponential), Pick(SeriesAnalysis.ClassifyTrend(exp)));

        static (TrendDirection, TrendShape) Pick((TrendDirection D, TrendShape S, double _) r) => (r.D, r.S);
    }

    [Fact]
    public void Finds_a_level_shift_and_a_spike()
    {
        var rng = new Random(5);
        var y = Enumerable.Range(0, 200).Select(t => (t < 120 ? 10.0 : 25.0) + Sim.Gauss(rng)).ToArray();
        var cps = SeriesAnalysis.ChangePoints(y);
        Assert.Contains(cps, c => Math.Abs(c - 120) <= 3);

        y[50] += 30;
        var profile = SeriesAnalysis.Analyze(y, []);
        Assert.Contains(50, profile.Outliers);
    }

    [Fact]
    public void Fills_missing_values_by_linear_interpolation_and_counts_them()
    {
        double[] v = [double.NaN, 2, double.NaN, double.NaN, 8, double.NaN];
        Assert.Equal(4, SeriesAnalysis.FillMissing(v));
        Assert.Equal([2.0, 2, 4, 6, 8, 8], v);
        Assert.Throws<ArgumentException>(() => SeriesAnalysis.FillMissing([double.NaN]));
    }

    [Fact]
    public void Profile_counts_zeros_and_negatives_and_flags_short_series()
    {
        var p = SeriesAnalysis.Analyze([0, -1, 2, 0, 3], []);
        Assert.Equal(2, p.Zeros);
        Assert.Equal(1, p.Negatives);
        Assert.True(p.IsShort);
    }

    [Fact]
    public void MSTL_forecast_tracks_two_seasonalities()
    {
        var y = Sim.TwoSeasons(24 * 7 * 6 + 48, 0.2, 8);
        int n = y.Length - 48;
        var r = new MstlModel().Forecast(new ForecastRequest { Values = y[..n], Horizon = 48, SeasonalPeriods = [24, 168] });
        double mae = Enumerable.Range(0, 48).Average(i => Math.Abs(Sim.Truth(n + i) - r.Mean[i]));
        Assert.True(mae < 0.4, $"MAE vs truth {mae}");
        Assert.StartsWith("MSTL[24,168]", r.Detail);
    }

    [Fact]
    public void Classical_decomposition_recovers_multiplicative_indices()
    {
        var y = Enumerable.Range(0, 48).Select(t => (100 + t) * (t % 4 == 0 ? 1.2 : t % 4 == 2 ? 0.8 : 1.0)).ToArray();
        var d = ClassicalDecomposition.Fit(y, 4);
        Assert.True(d.Multiplicative);
        Assert.Equal(1.2, d.Indices[0], 2);
        Assert.Equal(0.8, d.Indices[2], 2);
        Assert.True(ClassicalDecomposition.IsSeasonal(y, 4));
    }
}
