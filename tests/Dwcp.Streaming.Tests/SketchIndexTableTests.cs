using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Tests;

/// <summary>
/// <c>DDSketch.IndexOf</c> answers most values from <see cref="LogIndexTable"/>; its indices must be exactly those of
/// ⌈ln x / ln γ⌉ (computed here with <see cref="Math.Log"/>), in particular at every sub-range start of the table and
/// at every bucket boundary γᵏ it covers, where a table off by one ulp would pick the neighbouring bucket.
/// </summary>
public class SketchIndexTableTests
{
    [Theory]
    [InlineData(0.005)]
    [InlineData(0.01)]
    [InlineData(0.02)]
    [InlineData(0.05)]
    [InlineData(0.2)]
    public void IndexOf_equals_the_log_formula_at_every_table_sub_range_and_bucket_boundary(double alpha)
    {
        var sketch = new DDSketch(alpha);
        var gamma = (1 + alpha) / (1 - alpha);
        var multiplier = 1 / Math.Log(gamma);
        int Exact(double v) => (int)Math.Ceiling(Math.Log(Math.Abs(v)) * multiplier);
        void Check(double v)
        {
            if (v >= DDSketch.MinIndexableValue && double.IsFinite(v))
            {
                Assert.True(Exact(v) == sketch.IndexOf(v), $"α={alpha}, x={v:R}: expected {Exact(v)}, got {sketch.IndexOf(v)}");
                Assert.Equal(Exact(v), sketch.IndexOf(-v));
            }
        }

        // every 1/128 of every binary exponent from 2^-31 to 2^71 (the table covers 2^-30 … 2^70), and its neighbours
        for (var exponent = -31; exponent <= 71; exponent++)
        {
            for (var j = 0; j < 128; j++)
            {
                var low = Math.ScaleB(1 + (j / 128.0), exponent);
                foreach (var v in new[] { low, Math.BitDecrement(low), Math.BitIncrement(low), Math.ScaleB(1 + ((j + 0.5) / 128.0), exponent) })
                {
                    Check(v);
                }
            }
        }

        // every bucket boundary γ^k in that range, a few ulps and relative steps around it (inside and outside the
        // 1e-9 band the table leaves to the formula)
        for (var k = (int)Math.Floor(-31 * Math.Log(2) * multiplier); k <= (int)Math.Ceiling(72 * Math.Log(2) * multiplier); k++)
        {
            var boundary = Math.Pow(gamma, k);
            foreach (var factor in new[] { 1, 1 - 1e-9, 1 + 1e-9, 1 - 2e-9, 1 + 2e-9, 1 - 1e-12, 1 + 1e-12, 1 - 1e-6, 1 + 1e-6 })
            {
                Check(boundary * factor);
            }

            var v = boundary;
            for (var step = 0; step < 3; step++)
            {
                v = Math.BitIncrement(v);
                Check(v);
            }

            v = boundary;
            for (var step = 0; step < 3; step++)
            {
                v = Math.BitDecrement(v);
                Check(v);
            }
        }
    }

    [Fact]
    public void The_table_answers_nearly_all_values_in_its_range_and_is_not_used_when_buckets_are_narrower_than_its_sub_ranges()
    {
        var table = LogIndexTable.For((1 + 0.01) / (1 - 0.01));
        Assert.NotNull(table);
        var random = new Random(17);
        var answered = 0;
        for (var i = 0; i < 100_000; i++)
        {
            answered += table.TryIndexOf(Math.Exp((random.NextDouble() * 40) - 20), out _) ? 1 : 0;
        }

        Assert.True(answered > 99_900, $"{answered} of 100,000 answered by the table"); // the band is ~1e-7 of each bucket
        Assert.False(table.TryIndexOf(Math.ScaleB(1, 80), out _)); // outside 2^-30 … 2^70: the formula
        Assert.Null(LogIndexTable.For((1 + 0.001) / (1 - 0.001))); // γ < 1 + 2^-7: two boundaries could share a sub-range

        var fine = new DDSketch(0.001); // no table: the series logarithm, still the exact formula
        var multiplier = 1 / Math.Log((1 + 0.001) / (1 - 0.001));
        for (var i = 0; i < 20_000; i++)
        {
            var v = Math.Exp((random.NextDouble() * 40) - 20);
            Assert.Equal((int)Math.Ceiling(Math.Log(v) * multiplier), fine.IndexOf(v));
        }
    }
}
