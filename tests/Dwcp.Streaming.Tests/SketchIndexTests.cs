using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Tests;

public class SketchIndexTests
{
    [Theory]
    [InlineData(0.01)]
    [InlineData(0.02)]
    [InlineData(0.05)]
    public void IndexOf_equals_the_exact_log_formula_for_random_values_and_bucket_boundaries(double alpha)
    {
        var sketch = new DDSketch(alpha);
        var gamma = (1 + alpha) / (1 - alpha);
        var multiplier = 1 / Math.Log(gamma);
        int Exact(double v) => Math.Abs(v) < DDSketch.MinIndexableValue ? 0 : (int)Math.Ceiling(Math.Log(Math.Abs(v)) * multiplier);

        var random = new Random(5);
        for (var i = 0; i < 200_000; i++)
        {
            var v = Math.Exp((random.NextDouble() * 60) - 25) * (random.Next(2) == 0 ? 1 : -1);
            Assert.Equal(Exact(v), sketch.IndexOf(v));
        }

        // Bucket boundaries γ^k and their neighbouring doubles, where a sloppy logarithm would pick the next bucket.
        for (var k = -900; k <= 900; k++)
        {
            var boundary = Math.Pow(gamma, k);
            foreach (var v in new[] { boundary, Math.BitDecrement(boundary), Math.BitIncrement(boundary), boundary * (1 + 1e-9), boundary * (1 - 1e-9) })
            {
                if (v >= DDSketch.MinIndexableValue && double.IsFinite(v))
                {
                    Assert.Equal(Exact(v), sketch.IndexOf(v));
                }
            }
        }
    }

    [Fact]
    public void FastLog_is_within_1e_12_of_Math_Log()
    {
        var random = new Random(9);
        for (var i = 0; i < 100_000; i++)
        {
            var v = Math.Exp((random.NextDouble() * 80) - 40);
            Assert.True(Math.Abs(DDSketch.FastLog(v) - Math.Log(v)) < 1e-12, $"ln {v}");
        }
    }
}
