using Dwcp.Anomalies.Detectors;
using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Tests;

/// <summary>
/// What a detector costs to create and to feed: a server keeps thousands of them (one per metric × series × window
/// size), so buffers a detector may never need are allocated when first needed, and scoring a point allocates nothing
/// once the windows have reached their size. Allocation is counted in bytes on the test's own thread (deterministic).
/// </summary>
public sealed class DetectorFootprintTests
{
    // The server's stream detector settings (AnomalyAlertOptions.StreamDetector).
    private static readonly OnlineDetectorOptions Stream = new()
    {
        FpRate = 0.01,
        CalibrationWindow = 500,
        MinCalibrationHistory = 30,
        Resonance = new ResonanceOptions { MaxCategories = 250 },
    };

    private static long Allocated(Action action)
    {
        action(); // JIT and static initialisation out of the way
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Creating_a_stream_detector_allocates_under_12_KB()
    {
        // 34 KB before the period-search buffer, the refractory ring and the spectral FFT buffers were made to grow on
        // demand and the change-point detector (not a default component) stopped being built.
        var bytes = Allocated(() => _ = new OnlineAnomalyDetector(Stream));

        Assert.True(bytes < 12 * 1024, $"A new detector allocated {bytes:N0} bytes.");
    }

    [Fact]
    public void Scoring_a_point_allocates_nothing_once_the_windows_are_full()
    {
        var rng = new Random(11);
        var detector = new OnlineAnomalyDetector(Stream);
        var i = 0;
        double Next() => 100 + (10 * Math.Sin(2 * Math.PI * i++ / 24)) + rng.NextDouble();

        // Past the period search (720 points) and then the 500-value windows of the rebuilt components.
        for (var k = 0; k < 2_000; k++)
        {
            detector.Score(Next());
        }

        var bytes = Allocated(() =>
        {
            for (var k = 0; k < 100; k++)
            {
                detector.Score(Next());
            }
        });

        Assert.Equal(0, bytes);
    }

    [Fact]
    public void The_change_point_component_still_scores_when_it_is_selected()
    {
        var options = new OnlineDetectorOptions { Components = EnsembleComponents.Default | EnsembleComponents.BayesianChangePoint, CalibrationWindow = 200 };
        var detector = new OnlineAnomalyDetector(options);
        var rng = new Random(5);
        var bocpd = new List<double>();
        for (var k = 0; k < 600; k++)
        {
            // A level shift at 400: the run-length posterior collapses, so the component's p-value drops.
            detector.Score((k < 400 ? 10 : 30) + rng.NextDouble());
            bocpd.Add(detector.LastComponentPValues[4]);
        }

        Assert.Equal("bocpd", OnlineAnomalyDetector.ComponentNames[4]);
        Assert.True(bocpd.Skip(400).Take(10).Min() < 0.05, $"bocpd p-values after the shift: {string.Join(", ", bocpd.Skip(400).Take(10))}");

        // Without it, its slot stays at 1.
        var plain = new OnlineAnomalyDetector(options with { Components = EnsembleComponents.Default });
        for (var k = 0; k < 600; k++)
        {
            plain.Score((k < 400 ? 10 : 30) + rng.NextDouble());
            Assert.Equal(1.0, plain.LastComponentPValues[4]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(1_001)]
    public void Median_and_MAD_match_a_sort_of_a_copy_on_either_side_of_the_stack_limit(int n)
    {
        var rng = new Random(n);
        var values = Enumerable.Range(0, n).Select(_ => Math.Round((rng.NextDouble() * 200) - 100, 1)).ToArray();
        var original = values.ToArray();

        // Reference: LINQ ordering and the textbook middle element(s).
        static double MedianOf(IEnumerable<double> xs)
        {
            var s = xs.OrderBy(x => x).ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[(s.Length / 2) - 1] + s[s.Length / 2]);
        }

        var median = MedianOf(values);
        Assert.Equal(median, RobustStats.Median(values));
        Assert.Equal(MedianOf(values.Select(v => Math.Abs(v - median))), RobustStats.Mad(values, median));
        Assert.Equal(original, values); // the input is not reordered
    }

    [Fact]
    public void Median_and_MAD_of_a_short_window_allocate_nothing()
    {
        var values = Enumerable.Range(0, 100).Select(i => (double)((i * 37) % 101)).ToArray();

        Assert.Equal(0, Allocated(() => _ = RobustStats.Median(values)));
        Assert.Equal(0, Allocated(() => _ = RobustStats.Mad(values, 50)));
    }
}
