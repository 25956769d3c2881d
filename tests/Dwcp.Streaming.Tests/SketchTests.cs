using System.Text;
using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Tests;

public class SketchTests
{
    public static TheoryData<string> Distributions => ["uniform", "lognormal", "exponential", "pareto", "mixed-sign", "constant"];

    private static double[] Sample(string distribution, int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => distribution switch
        {
            "uniform" => random.NextDouble() * 1000,
            "lognormal" => Math.Exp(Normal(random) * 2),
            "exponential" => -Math.Log(1 - random.NextDouble()) * 50,
            "pareto" => 1 / Math.Pow(1 - random.NextDouble(), 1 / 1.2),
            "mixed-sign" => random.NextDouble() < 0.05 ? 0 : (random.NextDouble() < 0.3 ? -1 : 1) * Math.Exp(Normal(random)),
            _ => 42.5,
        })];
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Theory]
    [MemberData(nameof(Distributions))]
    public void DDSketch_quantiles_are_within_alpha_of_exact_quantiles(string distribution)
    {
        foreach (var alpha in new[] { 0.01, 0.02, 0.05 })
        {
            var values = Sample(distribution, 20_000, seed: 7);
            var sketch = new DDSketch(alpha);
            foreach (var v in values)
            {
                sketch.Add(v);
            }

            var sorted = values.Order().ToArray();
            for (var q = 0.0; q <= 1.0; q += 0.01)
            {
                var exact = TestData.ExactQuantile(sorted, q);
                var estimate = sketch.Quantile(q);
                Assert.True(Math.Abs(estimate - exact) <= alpha * Math.Abs(exact) + 1e-12,
                    $"{distribution} α={alpha} q={q}: {estimate} vs {exact}");
            }

            Assert.Equal(values.Length, sketch.Count);
            Assert.Equal(sorted[0], sketch.Min);
            Assert.Equal(sorted[^1], sketch.Max);
        }
    }

    [Fact]
    public void DDSketch_merge_of_two_sketches_equals_the_sketch_of_the_union()
    {
        var a = Sample("lognormal", 5000, 1);
        var b = Sample("mixed-sign", 7000, 2);
        var left = new DDSketch();
        var right = new DDSketch();
        var union = new DDSketch();
        foreach (var v in a)
        {
            left.Add(v);
            union.Add(v);
        }

        foreach (var v in b)
        {
            right.Add(v);
            union.Add(v);
        }

        left.Merge(right);
        Assert.True(left.HasSameBuckets(union));
        for (var q = 0.0; q <= 1.0; q += 0.05)
        {
            Assert.Equal(union.Quantile(q), left.Quantile(q));
        }
    }

    [Fact]
    public void DDSketch_bucket_count_is_bounded_and_high_quantiles_keep_their_accuracy_after_collapsing()
    {
        var sketch = new DDSketch(0.01, maxBuckets: 64);
        var values = Enumerable.Range(0, 10_000).Select(i => Math.Pow(10, -6 + (12.0 * i / 9_999))).ToArray(); // 1e-6 … 1e6
        foreach (var v in values)
        {
            sketch.Add(v);
        }

        Assert.True(sketch.IsCollapsed);
        Assert.True(sketch.MemoryBytes <= 96 + (8 * 64) + (12 * 32), $"memory {sketch.MemoryBytes}"); // dense 64 buckets + the 32-entry sparse arrays kept for reuse
        // 64 buckets at γ≈1.0202 cover a factor of ≈3.6 below the max, so q ≥ 0.96 (values ≥ 10^5.52) stay exact to α.
        foreach (var q in new[] { 0.96, 0.99, 1.0 })
        {
            var exact = TestData.ExactQuantile(values, q);
            Assert.True(Math.Abs(sketch.Quantile(q) - exact) <= 0.01 * exact, $"q={q}");
        }

        Assert.Equal(values.Length, sketch.Count);
    }

    [Fact]
    public void DDSketch_cleared_and_reused_gives_the_same_answers_as_a_new_sketch()
    {
        var reused = new DDSketch();
        foreach (var v in Sample("pareto", 5000, 3))
        {
            reused.Add(v);
        }

        reused.Clear();
        var fresh = new DDSketch();
        foreach (var v in Sample("lognormal", 3000, 4).Concat(Sample("mixed-sign", 10, 5)))
        {
            reused.Add(v);
            fresh.Add(v);
        }

        Assert.True(reused.HasSameBuckets(fresh));
        Assert.Equal(fresh.Quantile(0.3), reused.Quantile(0.3));
    }

    [Fact]
    public void DDSketch_rejects_merging_sketches_of_different_accuracy()
    {
        var error = Assert.Throws<ArgumentException>(() => new DDSketch(0.01).Merge(new DDSketch(0.02)));
        Assert.Contains("same relative accuracy", error.Message);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(20_000)]
    [InlineData(200_000)]
    public void HyperLogLog_estimate_is_within_three_standard_errors(int distinct)
    {
        var hll = new HyperLogLog(12);
        for (var i = 0; i < distinct * 2; i++)
        {
            hll.Add("item-" + (i % distinct)); // every item twice
        }

        var relative = Math.Abs(hll.Estimate() - distinct) / distinct;
        Assert.True(relative <= 3 * hll.StandardError, $"relative error {relative:P2} > 3σ = {3 * hll.StandardError:P2}");
        Assert.Equal(1.04 / 64, hll.StandardError, 12);
    }

    [Fact]
    public void HyperLogLog_errors_average_about_the_documented_standard_error()
    {
        // Over 40 independent sets of 50,000 items, the RMS relative error should be close to 1.04/√m (p=10: 3.25%).
        var errors = new List<double>();
        for (var run = 0; run < 40; run++)
        {
            var hll = new HyperLogLog(10);
            for (var i = 0; i < 50_000; i++)
            {
                hll.Add($"run{run}-{i}");
            }

            errors.Add((hll.Estimate() - 50_000) / 50_000);
        }

        var rms = Math.Sqrt(errors.Average(e => e * e));
        Assert.InRange(rms, 0.4 * 0.0325, 1.6 * 0.0325);
    }

    [Fact]
    public void HyperLogLog_merge_equals_the_counter_of_the_union()
    {
        var a = new HyperLogLog();
        var b = new HyperLogLog();
        var union = new HyperLogLog();
        for (var i = 0; i < 30_000; i++)
        {
            (i % 3 == 0 ? a : b).Add("x" + i);
            union.Add("x" + i);
        }

        a.Merge(b);
        Assert.Equal(union.Estimate(), a.Estimate());
    }

    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    public void Hash64_matches_the_published_xxh64_test_vectors(string input, ulong expected)
    {
        Assert.Equal(expected, Hash64.Compute(Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public void Hash64_long_inputs_use_all_bytes()
    {
        var data = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var h = Hash64.Compute(data);
        for (var i = 0; i < data.Length; i++)
        {
            data[i] ^= 1;
            Assert.NotEqual(h, Hash64.Compute(data));
            data[i] ^= 1;
        }
    }
}
