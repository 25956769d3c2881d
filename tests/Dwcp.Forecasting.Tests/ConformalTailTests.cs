using Dwcp.Forecasting.Ensemble;

namespace Dwcp.Forecasting.Tests;

/// <summary>Levels the backtest cannot resolve (⌈(N+1)·level⌉ &gt; N scores) get a normal-tail extrapolation of the
/// largest score, so 99% is wider than 95% instead of equal to it.</summary>
public sealed class ConformalTailTests
{
    [Fact]
    public void Unresolved_levels_are_extrapolated_with_the_ratio_of_normal_quantiles()
    {
        // 3 origins × 4 steps = 12 scores: 95% needs rank ⌈13·0.95⌉ = 13 > 12, and so does 99%.
        var rng = new Random(5);
        var errors = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 4).Select(_ => Sim.Gauss(rng)).ToArray()).ToList();

        var h95 = Backtest.ConformalHalfWidth(errors, 95);
        var h99 = Backtest.ConformalHalfWidth(errors, 99);
        var h90 = Backtest.ConformalHalfWidth(errors, 90); // ⌈13·0.9⌉ = 12 ≤ 12: the largest score itself

        // z(0.995) / z(0.975) = 2.5758293 / 1.9599640 (normal table values).
        for (int s = 0; s < 4; s++)
        {
            Assert.Equal(2.5758293 / 1.9599640, h99[s] / h95[s], 5);
            Assert.True(h95[s] > h90[s]);
        }

        // At the highest resolved level, L = 12/13, the tail equals the largest score.
        Assert.Equal(7.5, Backtest.ExtrapolatedTail(7.5, 12, 100.0 * 12 / 13), 9);
        // z(0.995) / z(0.5 + 6/13) = 2.5758293 / 1.7688 (z of 0.961538 ≈ 1.76882).
        Assert.Equal(7.5 * 2.5758293 / 1.76882, Backtest.ExtrapolatedTail(7.5, 12, 99), 3);
    }

    [Fact]
    public void Ninety_nine_percent_intervals_from_few_origins_cover_gaussian_errors_near_nominal()
    {
        var rng = new Random(21);
        int inside95 = 0, inside99 = 0, total = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var rows = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 4).Select(_ => Sim.Gauss(rng)).ToArray()).ToArray();
            var h95 = Backtest.ConformalHalfWidth(rows[..3], 95);
            var h99 = Backtest.ConformalHalfWidth(rows[..3], 99);
            for (int s = 0; s < 4; s++)
            {
                total++;
                inside95 += Math.Abs(rows[3][s]) <= h95[s] ? 1 : 0;
                inside99 += Math.Abs(rows[3][s]) <= h99[s] ? 1 : 0;
            }
        }

        Assert.InRange(inside95 / (double)total, 0.93, 0.99);
        Assert.InRange(inside99 / (double)total, 0.975, 1.0);
        Assert.True(inside99 > inside95);
    }
}
