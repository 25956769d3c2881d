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
/// s_d), scaled by last year's ratio when the series has a year of history behind the baseline
/// (<see cref="YearlyContext"/>); other days use the decomposition's trend + seasonal. The batch detector flags about α
/// of every series' days by construction (rank calibration), so a flagged usage day is reported only when its deviation
/// from that expectation also lies outside the series' simultaneous band E ± (z(1 − α/(2n))·σ + a·|E|): Bonferroni over
/// the n days of the series; σ = 1.4826·MAD of the baseline's deseasonalised values around their median, at least
/// <see cref="ScaleFloor"/> of E; a = the allowance for an unmodelled yearly pattern (0 with a year of history). On a
/// series without anomalies the chance of any false alarm in it is then about α instead of α per day. The recurring part
/// is judged on the billing calendar (<see cref="CalendarCharges"/>); the one-time part is expected as billed. Every
/// reported day must also be material (<see cref="AnomalyMateriality"/>) and have <see cref="WarmUpDays"/> days of
/// history before it.
/// </summary>
internal sealed class SeriesModel
{
    /// <summary>Unflagged days before an episode that form its baseline.</summary>
    public const int BaselineDays = 28;

    /// <summary>How far back (days) the baseline may reach to find them.</summary>
    public const int BaselineReach = 56;

    /// <summary>Days of history a day needs before it can be reported (warm-up: with less there is no baseline before it to judge it by).</summary>
    public const int WarmUpDays = 14;

    /// <summary>Smallest noise scale, as a share of the median daily usage (so a noiseless fleet's 1% step is not an alarm).</summary>
    public const double ScaleFloor = 0.01;

    private readonly double[] _seasonal;
    private readonly double[] _deseasonalised;
    private readonly double[] _priorMoves;
    private readonly double[] _batchScores;
    private readonly bool[] _candidate;
    private readonly bool[] _recurringChanged;
    private readonly decimal[] _usageExpected;
    private readonly decimal[] _recurringExpected;
    private readonly decimal[] _spend;
    private readonly double _fpRate;
    private readonly AnomalyMateriality _materiality;

    private SeriesModel(DateOnly first, SeriesParts parts, BatchDetectionResult result, double fpRate, AnomalyMateriality materiality)
    {
        var n = parts.Usage.Length;
        First = first;
        Parts = parts;
        _fpRate = fpRate;
        _materiality = materiality;
        Actual = new decimal[n];
        _seasonal = result.Decomposition.Seasonal;
        _deseasonalised = Enumerable.Range(0, n).Select(i => (double)parts.Usage[i] - _seasonal[i]).ToArray();
        _priorMoves = YearlyContext.PriorMoves(_deseasonalised);
        _batchScores = result.Scores.Select(s => s.Score).ToArray();
        _candidate = result.Scores.Select(s => s.IsAnomaly).ToArray();
        _recurringChanged = new bool[n];
        _usageExpected = new decimal[n];
        _recurringExpected = new decimal[n];
        _spend = new decimal[n];
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
            _spend[i] = TypicalSpend(i);
            (_recurringExpected[i], _, _recurringChanged[i]) = CalendarCharges.Assess(first, parts.Recurring, i);
            Expected[i] = _usageExpected[i] + _recurringExpected[i] + parts.OneTime[i];
            var baseline = _candidate[i] ? UsageBaseline(i) : default;
            (Flagged[i], Scores[i]) = Judge(i, _usageExpected[i], baseline.Scale, baseline.Allowance);
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

    /// <summary>Whether the day is reported: a confirmed usage anomaly or a material change of a recurring charge, and material.</summary>
    public bool[] Flagged { get; }

    /// <summary>Scores in [0, 1] (0 on days not reported).</summary>
    public double[] Scores { get; }

    /// <summary>The simultaneous critical value z(1 − α/(2n)) a flagged usage deviation must pass, in σ.</summary>
    public double Critical { get; }

    /// <summary>Half-width of the expected band: z(1 − α/2)·σ.</summary>
    public decimal HalfWidth { get; }

    /// <summary>Index of a day (may be out of range).</summary>
    public int IndexOf(DateOnly day) => day.DayNumber - First.DayNumber;

    /// <summary>Whether the batch detector flagged the day's usage (its expectation then comes from a clean baseline).</summary>
    public bool IsCandidate(int index) => _candidate[index];

    /// <summary>The series' typical daily spend on a day: the median daily cost of the <see cref="AnomalyMateriality.SpendWindowDays"/> days before it.</summary>
    public decimal SpendBefore(int index) => _spend[index];

    /// <summary>Scores a usage-only series (weekly period from 28 days on).</summary>
    public static SeriesModel Fit(DateOnly first, decimal[] actual, double fpRate, AnomalyMateriality? materiality = null) => Fit(first, SeriesParts.UsageOnly(actual), fpRate, materiality);

    /// <summary>Scores a series by parts (weekly period from 28 days on for the usage part); materiality null = <see cref="AnomalyMateriality.Default"/>.</summary>
    public static SeriesModel Fit(DateOnly first, SeriesParts parts, double fpRate, AnomalyMateriality? materiality = null)
    {
        var values = parts.Usage.Select(v => (double)v).ToArray();
        var result = BatchAnomalyDetector.Detect(values, fpRate, values.Length >= 28 ? 7 : 0);
        return new SeriesModel(first, parts, result, fpRate, materiality ?? AnomalyMateriality.Default);
    }

    /// <summary>
    /// The expected cost of day <paramref name="index"/> by part (as in <see cref="Expected"/>): usage (and the clean baseline days its split uses),
    /// recurring from the same day of earlier billing periods (and those days), one-time as billed.
    /// </summary>
    public ExpectedDay ExpectedFor(int index)
    {
        var baseline = UsageBaseline(index).Baseline;
        return new ExpectedDay(_usageExpected[index], baseline, _recurringExpected[index], CalendarCharges.Assess(First, Parts.Recurring, index).References, Parts.OneTime[index]);
    }

    /// <summary>
    /// Judges a flagged usage day again with some baseline days' usage restated (<paramref name="adjust"/>: series index →
    /// amount added, e.g. month-priced storage restated in the day's month by <see cref="MonthProration"/>): the new
    /// expectation, whether the day is still reported, and its score.
    /// </summary>
    public (ExpectedDay Expected, bool Flagged, double Score) Restate(int index, IReadOnlyDictionary<int, decimal> adjust)
    {
        var (usage, baseline, scale, allowance) = UsageBaseline(index, adjust);
        var (flagged, score) = Judge(index, usage, scale, allowance);
        var references = CalendarCharges.Assess(First, Parts.Recurring, index).References;
        return (new ExpectedDay(usage, baseline, _recurringExpected[index], references, Parts.OneTime[index]), flagged, score);
    }

    /// <summary>Whether a day is reported against a usage expectation, and its score (0 when not).</summary>
    private (bool Flagged, double Score) Judge(int i, decimal usageExpected, double baselineScale, double allowance)
    {
        var usage = Parts.Usage[i];
        var scale = Math.Max(baselineScale, ScaleFloor * (double)Math.Abs(usageExpected));
        var band = (Critical * scale) + (allowance * (double)Math.Abs(usageExpected));
        var usageFlag = _candidate[i] && scale > 0 && (double)Math.Abs(usage - usageExpected) > band;
        var changed = _recurringChanged[i];
        var expected = usageExpected + _recurringExpected[i] + Parts.OneTime[i];
        var impact = Math.Abs(Actual[i] - expected);
        if (i < WarmUpDays || !(usageFlag || changed) || impact == 0 || impact < _materiality.Floor(_spend[i]))
        {
            return (false, 0);
        }

        return (true, Math.Max(usageFlag ? _batchScores[i] : 0, changed ? CalendarCharges.Score(_recurringExpected[i], Parts.Recurring[i], _fpRate) : 0));
    }

    private decimal TypicalSpend(int index)
    {
        var from = Math.Max(0, index - AnomalyMateriality.SpendWindowDays);
        var count = index - from;
        if (count < 7)
        {
            // Too little history before the day: the series' first weeks stand for its spend.
            from = 0;
            count = Math.Min(Actual.Length, AnomalyMateriality.SpendWindowDays);
        }

        var window = Actual.AsSpan(from, count).ToArray();
        Array.Sort(window);
        return window.Length == 0 ? 0 : window.Length % 2 == 1 ? window[window.Length / 2] : (window[(window.Length / 2) - 1] + window[window.Length / 2]) / 2;
    }

    private (decimal Expected, IReadOnlyList<int> Baseline, double Scale, double Allowance) UsageBaseline(int index, IReadOnlyDictionary<int, decimal>? adjust = null)
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

        var before = baseline.Count > 0;
        if (!before)
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
            return (usage[index], baseline, 0, 0);
        }

        var deseasonalised = baseline.Select(b => (double)(usage[b] + (adjust is not null && adjust.TryGetValue(b, out var a) ? a : 0m)) - _seasonal[b]).ToArray();
        var level = RobustStats.Median(deseasonalised);
        var spread = RobustStats.MadToSigma * RobustStats.Mad(deseasonalised, level);

        // Last year's ratio when there is a year behind the baseline; otherwise an allowance for the unknown yearly pattern.
        var ratio = before ? YearlyContext.Ratio(First, _deseasonalised, index, baseline) : null;
        var allowance = ratio is null ? YearlyContext.Allowance(_priorMoves[start]) : 0;
        var expected = Cents((decimal)((level * (ratio ?? 1)) + _seasonal[index]));
        if (expected < 0 && baseline.All(b => usage[b] >= 0))
        {
            expected = 0;
        }

        baseline.Reverse();
        return (expected, baseline, spread * (ratio ?? 1), allowance);
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
