using Dwcp.Anomalies.Detectors;

namespace Dwcp.Anomalies.Tests;

/// <summary>
/// The window-discord detector: a hand-worked example, a brute-force recomputation on random data (a second method
/// without early abandoning or a ring buffer), and its behaviour on a repeating pattern with one novel stretch.
/// </summary>
public sealed class WindowDiscordTests
{
    [Fact]
    public void Matches_a_hand_computed_example()
    {
        // m = 2, history = 3. Windows end at t; candidates end at s with t − m − 3 < s ≤ t − m and s ≥ 1.
        var d = new WindowDiscordDetector(window: 2, history: 3);
        var stats = new[] { 1.0, 2, 1, 2, 5, 2, 1 }.Select(d.Update).ToArray();
        Assert.Equal(0, stats[0]); // no window yet
        Assert.Equal(0, stats[1]); // one window, no earlier one that does not overlap it
        Assert.Equal(0, stats[2]); // the only earlier window (ending at 0) is incomplete
        Assert.Equal(0, stats[3]); // (1, 2) vs (1, 2)
        Assert.Equal(Math.Sqrt(10 / 2.0), stats[4], 12); // (2, 5) vs (2, 1): 16, vs (1, 2): 1 + 9 = 10
        Assert.Equal(Math.Sqrt(10 / 2.0), stats[5], 12); // (5, 2) vs (1, 2): 16, (2, 1): 9 + 1 = 10, (1, 2): 16
        Assert.Equal(0, stats[6]); // (2, 1) vs (2, 5): 16, (1, 2): 2, (2, 1): 0
    }

    [Theory]
    [InlineData(2, 1, 1)]
    [InlineData(5, 40, 2)]
    [InlineData(16, 300, 3)]
    public void Equals_a_brute_force_nearest_neighbour_search(int m, int history, int seed)
    {
        var rng = new Random(seed);
        // Rounded values make exact repeats (distance 0) and ties occur as well.
        var x = Enumerable.Range(0, 900).Select(_ => Math.Round(Series.Gaussian(rng) * 2) / 2).ToArray();
        var stats = Series.Online(new WindowDiscordDetector(m, history), x);
        for (var t = 0; t < x.Length; t++)
        {
            var best = double.PositiveInfinity;
            for (var s = Math.Max(m - 1, t - m - history + 1); s <= t - m; s++)
            {
                var sum = 0.0;
                for (var j = 0; j < m; j++)
                {
                    sum += Math.Pow(x[t - m + 1 + j] - x[s - m + 1 + j], 2);
                }

                best = Math.Min(best, sum);
            }

            var expected = double.IsPositiveInfinity(best) ? 0 : Math.Sqrt(best / m);
            Assert.Equal(expected, stats[t], 9);
        }
    }

    [Fact]
    public void A_never_seen_shape_scores_highest_and_repeats_score_zero()
    {
        // A repeating square wave of period 10; at 600 one cycle is replaced by a ramp of the same range.
        var x = Enumerable.Range(0, 1000).Select(i => (i % 10) < 5 ? 0.0 : 1.0).ToArray();
        for (var i = 600; i < 610; i++)
        {
            x[i] = (i - 600) / 9.0;
        }

        var s = Series.Online(new WindowDiscordDetector(window: 8, history: 200), x);
        Assert.All(s.Skip(30).Take(560), v => Assert.Equal(0, v));
        var peak = Series.ArgMax(s, from: 30); // the first windows have almost nothing to compare with
        Assert.InRange(peak, 600, 617); // a window that overlaps the ramp
        Assert.True(s[peak] > 0.3, $"peak {s[peak]}");
        // Once the ramp has left the window, the pattern is an old one again.
        Assert.All(s.Skip(620).Take(300), v => Assert.Equal(0, v));
    }
}
