using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

public class GbmRefitTests
{
    private static List<double[]> Series()
    {
        var all = new List<double[]>();
        for (int s = 0; s < 6; s++)
        {
            var rng = new Random(200 + s);
            double level = 20 + 30 * rng.NextDouble();
            all.Add([.. Enumerable.Range(0, 200).Select(t => level * (1 + 0.3 * Math.Sin(2 * Math.PI * t / 24)) + Sim.Gauss(rng))]);
        }

        return all;
    }

    [Fact]
    public void Refit_forecasts_with_the_full_data_model_and_backtests_with_the_held_out_one()
    {
        var series = Series();
        int[] periods = [24];
        using var refit = GlobalGbm.Train(series, 12, periods, holdOut: 48, refitFull: true);
        using var heldOut = GlobalGbm.Train(series, 12, periods, holdOut: 48);
        using var full = GlobalGbm.Train(series, 12, periods, holdOut: 0);
        var y = series[3];

        // Second method: two separately trained models (same seed, deterministic single-threaded LightGBM).
        var final = refit.ModelFor(periods).Run(y, 12, periods);
        Assert.Equal(full.ModelFor(periods).Run(y, 12, periods).Mean, final.Mean);
        Assert.NotNull(final.Fixed);
        var backtest = final.Fixed!.Run(y[..152], 12, periods);
        Assert.Equal(heldOut.ModelFor(periods).Run(y[..152], 12, periods).Mean, backtest.Mean);
        Assert.NotEqual(final.Mean, heldOut.ModelFor(periods).Run(y, 12, periods).Mean);

        // Without refit the backtest and the final forecast come from the same model.
        Assert.Null(heldOut.ModelFor(periods).Run(y, 12, periods).Fixed);
    }

    [Theory]
    [InlineData(new[] { 24, 168 }, true)]
    [InlineData(new[] { 48, 336 }, true)]
    [InlineData(new[] { 96 }, true)]
    [InlineData(new[] { 52 }, false)]
    [InlineData(new[] { 7, 30, 365 }, false)]
    [InlineData(new[] { 12 }, false)]
    [InlineData(new int[0], false)]
    public void Sub_daily_data_is_recognised_by_a_daily_cycle_in_steps(int[] periods, bool expected) =>
        Assert.Equal(expected, AutoForecaster.IsSubDaily(periods));
}
