using Dwcp.Anomalies;
using Dwcp.Anomalies.Statistics;

namespace Dwcp.Cost.Anomalies;

/// <summary>
/// Batch detection on one daily cost series and the expected cost of each day. A flagged day's expected cost comes
/// from a clean baseline: the up to <see cref="BaselineDays"/> unflagged days before the run of flagged days it belongs
/// to (so a five-day incident does not raise its own expectation), deseasonalised, plus the day's weekly seasonal
/// component: E = median over baseline b of (x_b − s_b) + s_d (a median, so unflagged days of an earlier incident do not
/// lift it). Other days use the decomposition's trend + seasonal.
/// </summary>
internal sealed class SeriesModel
{
    /// <summary>Unflagged days before an episode that form its baseline.</summary>
    public const int BaselineDays = 28;

    /// <summary>How far back (days) the baseline may reach to find them.</summary>
    public const int BaselineReach = 56;

    private readonly double[] _seasonal;

    private SeriesModel(DateOnly first, decimal[] actual, BatchDetectionResult result, double fpRate)
    {
        First = first;
        Actual = actual;
        _seasonal = result.Decomposition.Seasonal;
        Flagged = result.Scores.Select(s => s.IsAnomaly).ToArray();
        Scores = result.Scores.Select(s => s.Score).ToArray();
        Expected = new decimal[actual.Length];
        for (var i = 0; i < actual.Length; i++)
        {
            Expected[i] = Flagged[i] ? ExpectedFor(i).Expected : Cents((decimal)(result.Decomposition.Trend[i] + _seasonal[i]));
        }

        var clean = Enumerable.Range(0, actual.Length).Where(i => !Flagged[i]).Select(i => (double)(actual[i] - Expected[i])).Order().ToArray();
        var scale = clean.Length == 0 ? 0 : 1.4826 * RobustStats.MadOfSorted(clean);
        HalfWidth = Cents((decimal)(RobustStats.StudentTQuantile(1 - (fpRate / 2), 1000) * scale));
    }

    /// <summary>The first day of the series.</summary>
    public DateOnly First { get; }

    /// <summary>Daily costs from <see cref="First"/>.</summary>
    public decimal[] Actual { get; }

    /// <summary>Expected cost per day.</summary>
    public decimal[] Expected { get; }

    /// <summary>Whether the detector flagged the day.</summary>
    public bool[] Flagged { get; }

    /// <summary>Calibrated scores in [0, 1].</summary>
    public double[] Scores { get; }

    /// <summary>Half-width of the expected band: z(1 − α/2)·1.4826·MAD of the unflagged days' residuals.</summary>
    public decimal HalfWidth { get; }

    /// <summary>Index of a day (may be out of range).</summary>
    public int IndexOf(DateOnly day) => day.DayNumber - First.DayNumber;

    /// <summary>Scores a series (weekly period from 28 days on).</summary>
    public static SeriesModel Fit(DateOnly first, decimal[] actual, double fpRate)
    {
        var values = actual.Select(v => (double)v).ToArray();
        var result = BatchAnomalyDetector.Detect(values, fpRate, values.Length >= 28 ? 7 : 0);
        return new SeriesModel(first, actual, result, fpRate);
    }

    /// <summary>The expected cost of day <paramref name="index"/> from its clean baseline, and the baseline days used.</summary>
    public (decimal Expected, IReadOnlyList<int> Baseline) ExpectedFor(int index)
    {
        var start = index;
        while (start > 0 && Flagged[start - 1])
        {
            start--;
        }

        var baseline = new List<int>(BaselineDays);
        for (var j = start - 1; j >= 0 && j >= start - BaselineReach && baseline.Count < BaselineDays; j--)
        {
            if (!Flagged[j])
            {
                baseline.Add(j);
            }
        }

        if (baseline.Count == 0)
        {
            // No clean history before the episode (it starts the series): fall back to the nearest unflagged days after it.
            for (var j = index + 1; j < Actual.Length && baseline.Count < BaselineDays; j++)
            {
                if (!Flagged[j])
                {
                    baseline.Add(j);
                }
            }
        }

        if (baseline.Count == 0)
        {
            return (Actual[index], baseline);
        }

        var level = RobustStats.Median(baseline.Select(b => (double)Actual[b] - _seasonal[b]).ToArray());
        var expected = Cents((decimal)(level + _seasonal[index]));
        if (expected < 0 && baseline.All(b => Actual[b] >= 0))
        {
            expected = 0;
        }

        baseline.Reverse();
        return (expected, baseline);
    }

    /// <summary>Rounds to the cent, midpoint away from zero.</summary>
    public static decimal Cents(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
