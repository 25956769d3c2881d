using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Tests;

public class NumericsTests
{
    [Theory]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.9, 1.2815515655446004)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.001, -3.090232306167813)]
    public void NormalQuantile_matches_published_values(double p, double expected) =>
        Assert.Equal(expected, Stats.NormalQuantile(p), 9);

    [Fact]
    public void NelderMead_finds_the_minimum_of_the_Rosenbrock_function()
    {
        var (x, f) = NelderMead.Minimize(v => 100 * Math.Pow(v[1] - v[0] * v[0], 2) + Math.Pow(1 - v[0], 2), [-1.2, 1], [0.5, 0.5], 5000, 1e-14);
        Assert.Equal(1, x[0], 3);
        Assert.Equal(1, x[1], 3);
        Assert.True(f < 1e-6);
    }

    [Fact]
    public void Quantile_interpolates_like_R_type_7()
    {
        // R: quantile(c(1, 2, 3, 4, 10), 0.9) = 7.6
        Assert.Equal(7.6, Stats.Quantile([10, 1, 3, 2, 4], 0.9), 12);
    }
}
