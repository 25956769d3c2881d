using Dwcp.Anomalies;
using Dwcp.Anomalies.Statistics;

namespace Dwcp.Cost.Anomalies;

/// <summary>A daily cost series split by charge kind (see <see cref="CalendarCharges"/>); every array is per day from the first day.</summary>
/// <param name="Usage">Usage charges: the part the batch detector scores.</param>
/// <param name="Recurring">Tax and Purchase: the billing-calendar part.</param>
/// <param name="OneTime">Credit and Adjustment: expected as billed.</param>
internal sealed record SeriesParts(decimal[] Usage, decimal[] Recurring, decimal[] OneTime)
{
    /// <summary>A series that is usage only.</summary>
    public static SeriesParts UsageOnly(decimal[] usage) => new(usage, new decimal[usage.Length], new decimal[usage.Length]);
}

/// <summary>
/// Detection on one daily cost series, modelled as usage part + recurring part + one-time part, and the expected cost of
/// each day. The usage part goes through <see cref="BatchAnomalyDetector"/> at α; a flagged usage day's expected cost
/// comes from a clean baseline: the up to <see cref="BaselineDays"/> unflagged days before the run of flagged days it
/// belongs to, deseasonalised, plus the day's weekly seasonal component (E = median over baseline b of (x_b − s_b) +
/// s_d); other days use the decomposition's trend + seasonal. The batch detector flags about α of every series' days by
/// construction (rank calibration), so a flagged usage day is reported only when its deviation from that expectation also
/// lies outside the series' simultaneous band E ± z(1 − α/(2n))·σ (Bonferroni over the n days of the series; σ =
/// 1.4826·MAD of the baseline's deseasonalised values around their median, at least <see cref="ScaleFloor"/> of E): on a series
/// without anomalies the chance of any false alarm in it is then about α instead of α per day. The recurring part is
/// judged on the billing calendar (<see cref="CalendarCharges"/>); the one-time part is expected as billed.
/// </summary>
internal sealed class SeriesModel
{
    /// <summary>Unflagged days before an episode that form its baseline.</summary>
    public const int BaselineDays = 28;

    /// <summary>How far back (days) the baseline may reach to find them.</summary>
    public const int BaselineReach = 56;

    /// <summary>Smallest noise scale, as a share of the median daily usage (so a noiseless fleet's 1% step is not an alarm).</summary>
    public const double ScaleFloor = 0.01;

    private readonly double[] _seasonal;
    private readonly bool[] _candidate;
    private readonly decimal[] _usageExpected;
    private readonly decimal[] _recurringExpected;

    private SeriesModel(DateOnly first, SeriesParts parts, BatchDetectionResult result, double fpRate)
    {
        var n = parts.Usage.Length;
        First = first;
        Parts = parts;
        Actual = new decimal[n];
        _seasonal = result.Decomposition.Seasonal;
        _candidate = result.Scores.Select(s => s.IsAnomaly).ToArray();
        _usageExpected = new decimal[n];
        _recurringExpected = new decimal[n];
        Expected = new decimal[n];
        Flagged = new bool[n];
        Scores = new double[n];
        for (var i = 0; i < n; i++)
        {
            Actual[i] = parts.Usage[i] + parts.Recurring[i] + parts.OneTime[i];
            _usageExpected[i] = _candidate[i] ? UsageBaseline(i).Expected : Cents((decimal)(result.Decomposition.Trend[i] + _seasonal[i]));
        }

        var clean = Enumerable.Range(0, n).Where(i => !_candidate[i]).Select(i => (double)(parts.Usage[i] - _usageExpected[i])).Order().ToArray();
        var level = RobustStats.Median(Enumerable.Range(0, n).Where(i => !_candidate[i]).Select(i => Math.Abs((double)parts.Usage[i])).ToArray());
        var sigma = Math.Max(clean.Length == 0 ? 0 : RobustStats.MadToSigma * RobustStats.MadOfSorted(clean), ScaleFloor * (double.IsNaN(level) ? 0 : level));
        Critical = n == 0 ? 0 : RobustStats.StudentTQuantile(1 - (fpRate / (2 * n)), 1000);
        HalfWidth = Cents((decimal)(RobustStats.StudentTQuantile(1 - (fpRate / 2), 1000) * sigma));
        for (var i = 0; i < n; i++)
        {
            // A candidate's deviation from its baseline expectation is measured against the baseline's own spread.
            var scale = _candidate[i] ? Math.Max(UsageBaseline(i).Scale, ScaleFloor * (double)Math.Abs(_usageExpected[i])) : sigma;
            var usageFlag = _candidate[i] && scale > 0 && (double)Math.Abs(parts.Usage[i] - _usageExpected[i]) > Critical * scale;
            var (recurringExpected, _, changed) = CalendarCharges.Assess(first, parts.Recurring, i);
            _recurringExpected[i] = recurringExpected;
            Expected[i] = _usageExpected[i] + recurringExpected + parts.OneTime[i];
            Flagged[i] = usageFlag || changed;
            Scores[i] = Math.Max(usageFlag ? result.Scores[i].Score : 0, changed ? CalendarCharges.Score(recurringExpected, parts.Recurring[i], fpRate) : 0);
        }
    }

    /// <summary>The first day of the series.</summary>
    public DateOnly First { get; }

    /// <summary>The series' parts by charge kind.</summary>
    public SeriesParts Parts { get; }

    /// <summary>Daily costs from <see cref="First"/> (all parts).</summary>
    public decimal[] Actual { get; }

    /// <summary>Expected cost per day (all parts).</summary>
    public decimal[] Expected { get; }

    /// <summary>Whether the day is reported: a confirmed usage anomaly or a material change of a recurring charge.</summary>
    public bool[] Flagged { get; }

    /// <summary>Scores in [0, 1] (0 on days not reported).</summary>
    public double[] Scores { get; }

    /// <summary>The simultaneous critical value z(1 − α/(2n)) a flagged usage deviation must pass, in σ.</summary>
    public double Critical { get; }

    /// <summary>Half-width of the expected band: z(1 − α/2)·σ.</summary>
    public decimal HalfWidth { get; }

    /// <summary>Index of a day (may be out of range).</summary>
    public int IndexOf(DateOnly day) => day.DayNumber - First.DayNumber;

    /// <summary>Scores a usage-only series (weekly period from 28 days on).</summary>
    public static SeriesModel Fit(DateOnly first, decimal[] actual, double fpRate) => Fit(first, SeriesParts.UsageOnly(actual), fpRate);

    /// <summary>Scores a series by parts (weekly period from 28 days on for the usage part).</summary>
    public static SeriesModel Fit(DateOnly first, SeriesParts parts, double fpRate)
    {
        var values = parts.Usage.Select(v => (double)v).ToArray();
        var result = BatchAnomalyDetector.Detect(values, fpRate, values.Length >= 28 ? 7 : 0);
        return new SeriesModel(first, parts, result, fpRate);
    }

    /// <summary>
    /// The expected cost of day <paramref name="index"/> by part (as in <see cref="Expected"/>): usage (and the clean baseline days its split uses),
    /// recurring from the same day of earlier billing periods (and those days), one-time as billed.
    /// </summary>
    public ExpectedDay ExpectedFor(int index)
    {
        var (_, baseline, _) = UsageBaseline(index);
        return new ExpectedDay(_usageExpected[index], baseline, _recurringExpected[index], CalendarCharges.Assess(First, Parts.Recurring, index).References, Parts.OneTime[index]);
    }

    private (decimal Expected, IReadOnlyList<int> Baseline, double Scale) UsageBaseline(int index)
    {
        var usage = Parts.Usage;
        var start = index;
        while (start > 0 && _candidate[start - 1])
        {
            start--;
        }

        var baseline = new List<int>(BaselineDays);
        for (var j = start - 1; j >= 0 && j >= start - BaselineReach && baseline.Count < BaselineDays; j--)
        {
            if (!_candidate[j])
            {
                baseline.Add(j);
            }
        }

        if (baseline.Count == 0)
        {
            // No clean history before the episode (it starts the series): fall back to the nearest unflagged days after it.
            for (var j = index + 1; j < usage.Length && baseline.Count < BaselineDays; j++)
            {
                if (!_candidate[j])
                {
                    baseline.Add(j);
                }
            }
        }

        if (baseline.Count == 0)
        {
            return (usage[index], baseline, 0);
        }

        var deseasonalised = baseline.Select(b => (double)usage[b] - _seasonal[b]).ToArray();
        var level = RobustStats.Median(deseasonalised);
        var spread = RobustStats.MadToSigma * RobustStats.Mad(deseasonalised, level);
        var expected = Cents((decimal)(level + _seasonal[index]));
        if (expected < 0 && baseline.All(b => usage[b] >= 0))
        {
            expected = 0;
        }

        baseline.Reverse();
        return (expected, baseline, spread);
    }

    /// <summary>Rounds to the cent, midpoint away from zero.</summary>
    public static decimal Cents(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}

/// <summary>The expected cost of one day by part, and the days each part's expectation comes from (series indices).</summary>
internal sealed record ExpectedDay(decimal Usage, IReadOnlyList<int> Baseline, decimal Recurring, IReadOnlyList<int> References, decimal OneTime)
{
    /// <summary>Usage + recurring + one-time.</summary>
    public decimal Total => Usage + Recurring + OneTime;
}
