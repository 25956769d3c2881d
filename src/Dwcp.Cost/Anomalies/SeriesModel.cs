using Dwcp.Anomalies.Detectors;
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
/// each day. Every day is judged causally, as a daily monitor would on that day: only from the days before it.
/// <list type="bullet">
/// <item>Usage: the day's baseline is the up to <see cref="BaselineDays"/> most recent usable days within
/// <see cref="BaselineReach"/> days before it (and not before the current level, below). A day is usable unless its own
/// usage was an outlier. The weekly pattern s is the per-weekday median of all days of the reach around their
/// median (with at least <see cref="SeasonalMinDays"/> of them); E = median over baseline b of (x_b − s_b), times last
/// year's ratio with a year of history (<see cref="YearlyContext"/>), + s_d. The day is an outlier when
/// |x − E| &gt; z(1 − α/(2·<see cref="BonferroniDays"/>))·σ + a·|E|, σ a prediction scale (1.4826·MAD of the baseline's
/// deseasonalised values, widened by Student t for its size and by the error of the medians; at least
/// <see cref="ScaleFloor"/> of E), a the allowance for an unknown yearly pattern: on a series without
/// anomalies, about α chance of any false alarm per series-year. Outlier days never enter a later baseline, so every
/// day of a multi-day incident is judged against the level before it.</item>
/// <item>A new level: after <see cref="NewLevelDays"/> consecutive outlier days on the same side, the change is taken
/// as the series' new level (a fleet resized, a price changed), and later baselines start at that run.</item>
/// <item>The recurring part is judged on the billing calendar (<see cref="CalendarCharges"/>); the one-time part is
/// expected as billed.</item>
/// <item>A day is reported when its usage is an outlier or its recurring amount changed materially, it is material
/// (<see cref="AnomalyMateriality"/>), and it has <see cref="WarmUpDays"/> days of history.</item>
/// </list>
/// Because nothing after a day enters its judgement, the verdict and expected cost of a day do not depend on how much
/// data follows it (the query's end), and, with the series always read from its first day, not on the query's start.
/// </summary>
internal sealed class SeriesModel
{
    /// <summary>Usable days before a day that form its baseline.</summary>
    public const int BaselineDays = 28;

    /// <summary>How far back (days) the baseline and the weekly pattern may reach.</summary>
    public const int BaselineReach = 56;

    /// <summary>Days of history a day needs before it can be reported (warm-up: with less there is no baseline before it to judge it by).</summary>
    public const int WarmUpDays = 28;

    /// <summary>Fewest baseline days a day is judged with (fewer: it is taken as expected).</summary>
    public const int MinBaselineDays = 7;

    /// <summary>Fewest usable days (two per weekday) the weekly pattern is estimated from; with fewer it is 0.</summary>
    public const int SeasonalMinDays = 14;

    /// <summary>The weekly period of daily cost.</summary>
    public const int Period = 7;

    /// <summary>Consecutive same-side outlier days after which they are taken as the series' new level (longer than a week-long incident).</summary>
    public const int NewLevelDays = 8;

    /// <summary>
    /// Days of history before which a series' level moves cannot be observed yet (two <see cref="YearlyContext.MoveWindow"/>s):
    /// until then the allowance for an unknown yearly pattern is its largest, <see cref="YearlyContext.MaxAllowance"/>.
    /// </summary>
    public const int YoungDays = 2 * YearlyContext.MoveWindow;

    /// <summary>
    /// Days a moderate move (every day within <see cref="YearlyContext.MaxAllowance"/> of its expectation: a resize, a
    /// season) must hold, on the same side, to be the series' new level: on its second day that day is judged against it.
    /// </summary>
    public const int ModerateLevelDays = 2;

    /// <summary>Days per series the simultaneous band is corrected for (one year of daily checks).</summary>
    public const int BonferroniDays = 365;

    /// <summary>Smallest noise scale, as a share of the expected usage (so a noiseless fleet's 1% step is not an alarm).</summary>
    public const double ScaleFloor = 0.01;

    private readonly double[] _seasonal;
    private readonly double[] _deseasonalised;
    private readonly double[] _priorMoves;
    private readonly double[] _scale;
    private readonly bool[] _outlier;
    private readonly int[] _away;
    private readonly bool[] _recurringChanged;
    private readonly decimal[] _usageExpected;
    private readonly decimal[] _recurringExpected;
    private readonly decimal[] _spend;
    private readonly int[][] _reach;
    private readonly double[] _tRatio = new double[BaselineReach + 1];
    private readonly int[][] _before;
    private readonly int[] _window;
    private readonly double _fpRate;
    private readonly AnomalyMateriality _materiality;

    private SeriesModel(DateOnly first, SeriesParts parts, double fpRate, AnomalyMateriality materiality)
    {
        var n = parts.Usage.Length;
        First = first;
        Parts = parts;
        _fpRate = fpRate;
        _materiality = materiality;
        Actual = new decimal[n];
        _seasonal = new double[n];
        _deseasonalised = new double[n];
        _priorMoves = new double[n];
        _scale = new double[n];
        _outlier = new bool[n];
        _away = new int[n];
        _recurringChanged = new bool[n];
        _usageExpected = new decimal[n];
        _recurringExpected = new decimal[n];
        _spend = new decimal[n];
        _reach = new int[n][];
        _before = new int[n][];
        _window = new int[n];
        Expected = new decimal[n];
        Flagged = new bool[n];
        Scores = new double[n];
        Critical = RobustStats.StudentTQuantile(1 - (fpRate / (2 * BonferroniDays)), 1000);
        BandZ = RobustStats.StudentTQuantile(1 - (fpRate / 2), 1000);
        var usable = new bool[n];
        var levelStart = 0;
        var bestMove = 0.0;
        for (var i = 0; i < n; i++)
        {
            Actual[i] = parts.Usage[i] + parts.Recurring[i] + parts.OneTime[i];
            _spend[i] = TypicalSpend(i);

            // A run of days away from the expectation on one side (each beyond half the outlier band, at least one an
            // outlier) ending yesterday. Long enough, it is the series' new level: later baselines start there.
            var run = 0;
            var side = 0;
            var outliers = 0;
            var moderate = true;
            for (var j = i - 1; j >= levelStart && _away[j] != 0 && (side == 0 || _away[j] == side); j--)
            {
                side = _away[j];
                run++;
                outliers += _outlier[j] ? 1 : 0;
                moderate &= IsModerate(parts.Usage[j], _usageExpected[j]);
            }

            if (outliers > 0 && run >= NewLevelDays)
            {
                levelStart = Accept(usable, i - run, i);
            }

            Prepare(i, levelStart, usable, ref bestMove);
            var fit = Evaluate(i, null);

            // A moderate move (a resize, a season) that holds today too is the new level from its first day on: today
            // is judged against it. A one-day swing (today back in line) is not.
            if (outliers > 0 && moderate && levelStart < i - run && run + 1 >= ModerateLevelDays && fit.Judged
                && Away(parts.Usage[i], fit) == side && IsModerate(parts.Usage[i], fit.Expected))
            {
                levelStart = Accept(usable, i - run, i);
                Prepare(i, levelStart, usable, ref bestMove);
                fit = Evaluate(i, null);
            }

            _seasonal[i] = fit.Seasonal;
            _deseasonalised[i] = (double)parts.Usage[i] - fit.Seasonal;
            _usageExpected[i] = fit.Expected;
            _scale[i] = fit.Scale;
            _outlier[i] = fit.Judged && IsOutlier(parts.Usage[i], fit.Expected, fit.Scale, fit.Allowance);
            _away[i] = Away(parts.Usage[i], fit);
            usable[i] = !_outlier[i];
            (_recurringExpected[i], _, _recurringChanged[i]) = CalendarCharges.Assess(first, parts.Recurring, i);
            Expected[i] = _usageExpected[i] + _recurringExpected[i] + parts.OneTime[i];
            (Flagged[i], Scores[i]) = Judge(i, fit.Expected, _outlier[i], fit.Scale, fit.Allowance);
        }
    }

    /// <summary>Marks the days from <paramref name="start"/> to before <paramref name="day"/> as the new level (usable); returns the new level's start.</summary>
    private static int Accept(bool[] usable, int start, int day)
    {
        for (var j = start; j < day; j++)
        {
            usable[j] = true;
        }

        return start;
    }

    /// <summary>The days day <paramref name="i"/> is judged from: its usable reach since the level's start, and the usable days before that start.</summary>
    private void Prepare(int i, int levelStart, bool[] usable, ref double bestMove)
    {
        var reach = new List<int>(BaselineReach);
        for (var j = i - 1; j >= 0 && j >= i - BaselineReach && j >= levelStart; j--)
        {
            if (usable[j])
            {
                reach.Add(j);
            }
        }

        reach.Reverse();
        _reach[i] = [.. reach];
        var from = Math.Max(0, i - BaselineReach);
        _before[i] = reach.Count >= MinBaselineDays || levelStart == 0 ? [] : [.. Enumerable.Range(from, Math.Max(0, levelStart - from)).Where(j => usable[j])];
        _window[i] = from;
        if (_priorMoves[i] == 0)
        {
            bestMove = Math.Max(bestMove, YearlyContext.MoveBefore(_deseasonalised, i));
            _priorMoves[i] = bestMove;
        }
    }

    /// <summary>Whether a deviation is within the largest season-sized move (<see cref="YearlyContext.MaxAllowance"/> of the expectation).</summary>
    private static bool IsModerate(decimal usage, decimal expected) => Math.Abs(usage - expected) <= (decimal)YearlyContext.MaxAllowance * Math.Abs(expected);

    /// <summary>The side (+1/−1) a day lies on when it is beyond half the outlier band, else 0.</summary>
    private int Away(decimal usage, Fit1 fit) =>
        fit.Judged && IsOutlier(usage, fit.Expected, fit.Scale / 2, fit.Allowance / 2) ? Math.Sign(usage - fit.Expected) : 0;

    /// <summary>The first day of the series.</summary>
    public DateOnly First { get; }

    /// <summary>The series' parts by charge kind.</summary>
    public SeriesParts Parts { get; }

    /// <summary>Daily costs from <see cref="First"/> (all parts).</summary>
    public decimal[] Actual { get; }

    /// <summary>Expected cost per day (all parts), from the days before it only.</summary>
    public decimal[] Expected { get; }

    /// <summary>Whether the day is reported: a confirmed usage anomaly or a material change of a recurring charge, and material.</summary>
    public bool[] Flagged { get; }

    /// <summary>Scores in [0, 1] (0 on days not reported).</summary>
    public double[] Scores { get; }

    /// <summary>The simultaneous critical value z(1 − α/(2·<see cref="BonferroniDays"/>)) a usage deviation must pass, in σ.</summary>
    public double Critical { get; }

    /// <summary>The band's critical value z(1 − α/2).</summary>
    public double BandZ { get; }

    /// <summary>Half-width of the expected band on a day: z(1 − α/2)·σ of that day's baseline.</summary>
    public decimal HalfWidthAt(int index) => Cents((decimal)(BandZ * _scale[index]));

    /// <summary>Index of a day (may be out of range).</summary>
    public int IndexOf(DateOnly day) => day.DayNumber - First.DayNumber;

    /// <summary>Whether the day's usage is an outlier against its baseline (before the materiality floor and warm-up).</summary>
    public bool IsCandidate(int index) => _outlier[index];

    /// <summary>The series' typical daily spend on a day: the median daily cost of the <see cref="AnomalyMateriality.SpendWindowDays"/> days before it.</summary>
    public decimal SpendBefore(int index) => _spend[index];

    /// <summary>Scores a usage-only series.</summary>
    public static SeriesModel Fit(DateOnly first, decimal[] actual, double fpRate, AnomalyMateriality? materiality = null) => Fit(first, SeriesParts.UsageOnly(actual), fpRate, materiality);

    /// <summary>Scores a series by parts; materiality null = <see cref="AnomalyMateriality.Default"/>.</summary>
    public static SeriesModel Fit(DateOnly first, SeriesParts parts, double fpRate, AnomalyMateriality? materiality = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (!(fpRate > 0 && fpRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fpRate), fpRate, "The false-positive rate must be between 0 and 1 (e.g. 0.05).");
        }

        return new SeriesModel(first, parts, fpRate, materiality ?? AnomalyMateriality.Default);
    }

    /// <summary>
    /// The expected cost of day <paramref name="index"/> by part (as in <see cref="Expected"/>): usage (and the baseline days it comes from),
    /// recurring from the same day of earlier billing periods (and those days), one-time as billed.
    /// </summary>
    public ExpectedDay ExpectedFor(int index) =>
        new(_usageExpected[index], Evaluate(index, null).Baseline, _recurringExpected[index], CalendarCharges.Assess(First, Parts.Recurring, index).References, Parts.OneTime[index]);

    /// <summary>
    /// Judges a day again with some baseline days' usage restated (<paramref name="adjust"/>: series index →
    /// amount added, e.g. month-priced storage restated in the day's month by <see cref="MonthProration"/>): the new
    /// expectation, whether the day is still reported, and its score.
    /// </summary>
    public (ExpectedDay Expected, bool Flagged, double Score) Restate(int index, IReadOnlyDictionary<int, decimal> adjust)
    {
        var fit = Evaluate(index, adjust);
        var outlier = fit.Judged && IsOutlier(Parts.Usage[index], fit.Expected, fit.Scale, fit.Allowance);
        var (flagged, score) = Judge(index, fit.Expected, outlier, fit.Scale, fit.Allowance);
        var references = CalendarCharges.Assess(First, Parts.Recurring, index).References;
        return (new ExpectedDay(fit.Expected, fit.Baseline, _recurringExpected[index], references, Parts.OneTime[index]), flagged, score);
    }

    private bool IsOutlier(decimal usage, decimal expected, double scale, double allowance) =>
        scale > 0 && (double)Math.Abs(usage - expected) > (Critical * scale) + (allowance * (double)Math.Abs(expected));

    /// <summary>Whether a day is reported against a usage expectation, and its score (0 when not).</summary>
    private (bool Flagged, double Score) Judge(int i, decimal usageExpected, bool usageFlag, double scale, double allowance)
    {
        var changed = _recurringChanged[i];
        var expected = usageExpected + _recurringExpected[i] + Parts.OneTime[i];
        var impact = Math.Abs(Actual[i] - expected);
        if (i < WarmUpDays || !(usageFlag || changed) || impact == 0 || impact < _materiality.Floor(_spend[i]))
        {
            return (false, 0);
        }

        var usageScore = 0.0;
        if (usageFlag)
        {
            var z = Math.Max(0, (double)Math.Abs(Parts.Usage[i] - usageExpected) - (allowance * (double)Math.Abs(usageExpected))) / scale;
            usageScore = 1 - (2 * (1 - RobustStats.NormalCdf(z)));
        }

        return (true, Math.Max(usageScore, changed ? CalendarCharges.Score(_recurringExpected[i], Parts.Recurring[i], _fpRate) : 0));
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
            var firstWeeks = new decimal[count];
            for (var j = 0; j < count; j++)
            {
                firstWeeks[j] = Parts.Usage[j] + Parts.Recurring[j] + Parts.OneTime[j];
            }

            return MedianOf(firstWeeks);
        }

        return MedianOf(Actual.AsSpan(from, count).ToArray());
    }

    /// <summary>Median of a decimal window (sorted in place); 0 when empty.</summary>
    internal static decimal MedianOf(decimal[] window)
    {
        Array.Sort(window);
        return window.Length == 0 ? 0 : window.Length % 2 == 1 ? window[window.Length / 2] : (window[(window.Length / 2) - 1] + window[window.Length / 2]) / 2;
    }

    private readonly record struct Fit1(decimal Expected, IReadOnlyList<int> Baseline, double Seasonal, double Scale, double Allowance, bool Judged);

    /// <summary>The usage expectation of a day from the usable days before it (<see cref="SeriesModel"/>), optionally with some of their usage restated.</summary>
    private Fit1 Evaluate(int index, IReadOnlyDictionary<int, decimal>? adjust)
    {
        var usage = Parts.Usage;
        var reach = _reach[index];
        double Value(int j) => (double)(usage[j] + (adjust is not null && adjust.TryGetValue(j, out var a) ? a : 0m));
        if (reach.Length == 0)
        {
            return new Fit1(usage[index], [], 0, 0, 0, false);
        }

        // The weekly pattern: per-weekday median of every day of the reach minus its local level (the moving median of
        // the week around it, cut at the day judged). Every day, not only the usable ones: a weekday that is always low
        // must teach the pattern, and a median of up to eight same weekdays is not moved by one incident week or a step.
        var phase = new double[Period];
        var from = _window[index];
        var values0 = Enumerable.Range(from, index - from).Select(Value).ToArray();
        var local = RobustDecomposition.MovingMedian(values0, Period);
        var seasonal = values0.Length >= SeasonalMinDays;
        if (seasonal)
        {
            for (var f = 0; f < Period; f++)
            {
                var values = Enumerable.Range(0, values0.Length).Where(k => (from + k) % Period == f).Select(k => values0[k] - local[k]).ToArray();
                seasonal &= values.Length >= 2;
                phase[f] = values.Length == 0 ? 0 : RobustStats.Median(values);
            }

            var mid = RobustStats.Median(phase);
            for (var f = 0; f < Period; f++)
            {
                phase[f] = seasonal ? phase[f] - mid : 0;
            }
        }

        var baseline = reach.Skip(Math.Max(0, reach.Length - BaselineDays)).ToArray();
        var deseasonalised = baseline.Select(b => Value(b) - phase[b % Period]).ToArray();
        var level = RobustStats.Median(deseasonalised);
        var spread = RobustStats.MadToSigma * RobustStats.Mad(deseasonalised, level);
        var judged = baseline.Length >= MinBaselineDays;
        var dof = baseline.Length - 1;
        if (!judged && baseline.Length >= ModerateLevelDays && _before[index].Length >= MinBaselineDays)
        {
            dof = _before[index].Length - 1;
            // Just after a new level: its level from the days since, its noise (relative) from the usable days before it.
            var before = _before[index].Select(b => Value(b) - phase[b % Period]).ToArray();
            var beforeLevel = RobustStats.Median(before);
            spread = beforeLevel == 0 ? spread : RobustStats.MadToSigma * RobustStats.Mad(before, beforeLevel) * Math.Abs(level / beforeLevel);
            judged = true;
        }

        // Last year's ratio when there is a year behind the baseline; otherwise an allowance for the unknown yearly pattern.
        var ratio = YearlyContext.Ratio(First, _deseasonalised, index, baseline);
        // A young series (its level moves not yet observable) gets the largest allowance.
        var allowance = ratio is not null ? 0 : index < YoungDays ? YearlyContext.MaxAllowance : YearlyContext.Allowance(_priorMoves[index]);
        var expected = Cents((decimal)((level * (ratio ?? 1)) + phase[index % Period]));
        if (expected < 0 && baseline.All(b => usage[b] >= 0))
        {
            expected = 0;
        }

        // A prediction, not a fit: the baseline's median and the weekly medians carry their own error (variance ≈ π/2·σ²/m
        // for a median of m values), and σ itself is estimated from the baseline (Student t with its degrees of freedom
        // instead of z). Both widen the scale, so the band holds about α per series-year on anomaly-free data.
        var inflation = Math.Sqrt(1 + (Math.PI / (2 * Math.Max(1, baseline.Length))) + (seasonal ? Math.PI / (2 * (values0.Length / (double)Period)) : 0));
        var scale = Math.Max(spread * (ratio ?? 1) * inflation * TRatio(dof), ScaleFloor * (double)Math.Abs(expected));
        return new Fit1(expected, baseline, phase[index % Period], scale, allowance, judged);
    }

    /// <summary>t(1 − α/(2·<see cref="BonferroniDays"/>); dof) / <see cref="Critical"/>: how much wider the band is when σ comes from dof + 1 days.</summary>
    private double TRatio(int dof)
    {
        if (dof < 1)
        {
            return 1;
        }

        dof = Math.Min(dof, _tRatio.Length - 1);
        if (_tRatio[dof] == 0)
        {
            _tRatio[dof] = RobustStats.StudentTQuantile(1 - (_fpRate / (2 * BonferroniDays)), dof) / Critical;
        }

        return _tRatio[dof];
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
