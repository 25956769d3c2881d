using System.Globalization;
using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Cost;

/// <summary>The days of the month on which a posting series is charged (31 stands for the last day of every month).</summary>
/// <param name="Days">Days of the month, ascending.</param>
internal sealed record PostingSchedule(IReadOnlyList<int> Days)
{
    /// <summary>The date of posting day <paramref name="day"/> in the month of <paramref name="month"/> (clamped to the month's last day).</summary>
    public static DateOnly DateIn(DateOnly month, int day) => new(month.Year, month.Month, Math.Min(day, DateTime.DaysInMonth(month.Year, month.Month)));

    /// <summary>"1" or "1, last".</summary>
    public string Describe() => string.Join(", ", Days.Select(d => d == 31 ? "last" : d.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>
/// Series whose cost is posted on a few days of the month (tax, support, commitment fees, marketplace invoices): a daily
/// model spreads such a charge over the month or misses it. Rule (see <c>docs/forecasting.md</c>, "Monthly postings"):
/// in each of the last <see cref="Months"/> complete calendar months of the history, at most <see cref="MaxDays"/> days
/// carry at least <see cref="MinShare"/> of the month's absolute cost; the schedule is the days of the month that are
/// such a posting day in at least two of those months. The forecast is a posting amount on every scheduled date and
/// the recent mean of the other days elsewhere.
/// </summary>
internal static class MonthlyPostings
{
    /// <summary>Complete calendar months examined.</summary>
    public const int Months = 3;

    /// <summary>Most posting days per month.</summary>
    public const int MaxDays = 2;

    /// <summary>Least share of a month's absolute cost on its posting days.</summary>
    public const double MinShare = 0.8;

    /// <summary>A top day counts as a posting day when it carries at least this share of its month's absolute cost.</summary>
    private const double MinDayShare = 0.1;

    /// <summary>Postings behind the level (median of the most recent ones).</summary>
    private const int LevelPostings = 3;

    /// <summary>Most recent postings behind the trend line.</summary>
    private const int TrendPostings = 12;

    /// <summary>Days of history behind the mean of the days between postings.</summary>
    private const int BaselineDays = 56;

    /// <summary>Returns the posting schedule of the daily series <paramref name="y"/> starting on <paramref name="first"/>, or null when the rule does not hold.</summary>
    public static PostingSchedule? Detect(DateOnly first, double[] y)
    {
        var last = first.AddDays(y.Length - 1);
        var months = new List<DateOnly>();
        for (var m = new DateOnly(last.Year, last.Month, 1); months.Count < Months; m = m.AddMonths(-1))
        {
            var end = m.AddMonths(1).AddDays(-1);
            if (m < first)
            {
                return null;
            }

            if (end <= last)
            {
                months.Add(m);
            }
        }

        var votes = new Dictionary<int, int>();
        foreach (var m in months)
        {
            int days = DateTime.DaysInMonth(m.Year, m.Month);
            var cost = Enumerable.Range(0, days).Select(d => (Day: d + 1, Abs: Math.Abs(y[m.AddDays(d).DayNumber - first.DayNumber]))).ToArray();
            double total = cost.Sum(c => c.Abs);
            var top = cost.OrderByDescending(c => c.Abs).Take(MaxDays).Where(c => c.Abs >= MinDayShare * total).ToArray();
            if (total <= 0 || top.Sum(c => c.Abs) < MinShare * total)
            {
                return null;
            }

            foreach (var (day, _) in top)
            {
                int key = day == days ? 31 : day;
                votes[key] = votes.GetValueOrDefault(key) + 1;
            }
        }

        var schedule = votes.Where(v => v.Value >= 2).Select(v => v.Key).Order().ToArray();
        return schedule.Length is > 0 and <= MaxDays ? new PostingSchedule(schedule) : null;
    }

    /// <summary>
    /// Forecasts <paramref name="horizon"/> days after the series <paramref name="y"/> (starting on <paramref name="first"/>)
    /// with the fixed <paramref name="schedule"/>: amounts and the baseline are estimated from <paramref name="y"/> alone,
    /// so the same call refits the method on every backtest prefix.
    /// </summary>
    public static double[] Forecast(DateOnly first, double[] y, int horizon, PostingSchedule schedule, out string model)
    {
        int n = y.Length;
        var last = first.AddDays(n - 1);
        var postingDays = new HashSet<int>();
        var amounts = new Dictionary<int, List<double>>();
        foreach (int day in schedule.Days)
        {
            var list = amounts[day] = [];
            for (var m = new DateOnly(first.Year, first.Month, 1); m <= last; m = m.AddMonths(1))
            {
                var date = PostingSchedule.DateIn(m, day);
                if (date >= first && date <= last && postingDays.Add(date.DayNumber - first.DayNumber))
                {
                    list.Add(y[date.DayNumber - first.DayNumber]);
                }
            }
        }

        var between = Enumerable.Range(Math.Max(0, n - BaselineDays), Math.Min(n, BaselineDays)).Where(i => !postingDays.Contains(i)).Select(i => y[i]).ToArray();
        double baseline = between.Length > 0 ? between.Average() : 0;
        var predictors = schedule.Days.ToDictionary(d => d, d => Amounts(amounts[d]));
        var result = new double[horizon];
        var next = schedule.Days.ToDictionary(d => d, _ => 0);
        for (int k = 0; k < horizon; k++)
        {
            var date = last.AddDays(k + 1);
            result[k] = baseline;
            foreach (int day in schedule.Days)
            {
                if (PostingSchedule.DateIn(date, day) == date)
                {
                    result[k] = predictors[day].At(++next[day]);
                    break;
                }
            }
        }

        var ci = CultureInfo.InvariantCulture;
        model = $"monthly-postings(day {schedule.Describe()}; {string.Join(", ", schedule.Days.Select(d => predictors[d].Describe(ci)))}; other days {baseline.ToString("0.##", ci)}/day)";
        return result;
    }

    /// <summary>Cost on the scheduled dates of each calendar month of the history, oldest first (months without a scheduled date in the history left out).</summary>
    public static double[] MonthlyTotals(DateOnly first, double[] y, PostingSchedule schedule)
    {
        var last = first.AddDays(y.Length - 1);
        var totals = new List<double>();
        for (var m = new DateOnly(first.Year, first.Month, 1); m <= last; m = m.AddMonths(1))
        {
            var dates = schedule.Days.Select(d => PostingSchedule.DateIn(m, d)).Distinct().Where(d => d >= first && d <= last).ToArray();
            if (dates.Length > 0)
            {
                totals.Add(dates.Sum(d => y[d.DayNumber - first.DayNumber]));
            }
        }

        return [.. totals];
    }

    /// <summary>The predictor of one posting day's amounts: the median of the last 3, or a trend line when it backtests better.</summary>
    private static PostingPredictor Amounts(List<double> a)
    {
        if (a.Count == 0)
        {
            return new PostingPredictor(0, 0, 0, false);
        }

        bool nonNegative = a.All(v => v >= 0);
        var level = Level(a);

        // One-posting-ahead backtest over the last (up to) 6 postings, each predicted from the postings before it: the
        // trend line is used only when its mean absolute error is under 90% of the level's.
        double errLevel = 0, errTrend = 0;
        int evaluations = 0;
        for (int t = Math.Max(4, a.Count - 6); t < a.Count; t++)
        {
            var prior = a.GetRange(0, t);
            errLevel += Math.Abs(a[t] - Level(prior).At(1));
            errTrend += Math.Abs(a[t] - Trend(prior, nonNegative).At(1));
            evaluations++;
        }

        return evaluations >= 3 && errTrend < 0.9 * errLevel ? Trend(a, nonNegative) : level;
    }

    private static PostingPredictor Level(List<double> a) => new(Median(a.Skip(Math.Max(0, a.Count - LevelPostings))), 0, 0, false);

    /// <summary>Theil–Sen line over the last (up to) 12 postings; intercept = median of a_i − slope·i.</summary>
    private static PostingPredictor Trend(List<double> a, bool nonNegative)
    {
        var w = a.Skip(Math.Max(0, a.Count - TrendPostings)).ToArray();
        var slopes = new List<double>();
        for (int i = 0; i < w.Length; i++)
        {
            for (int j = i + 1; j < w.Length; j++)
            {
                slopes.Add((w[j] - w[i]) / (j - i));
            }
        }

        double slope = slopes.Count > 0 ? Median(slopes) : 0;
        double intercept = Median(w.Select((v, i) => v - (slope * i)));
        // At(j) = intercept + slope·(w.Length − 1 + j): the line continued j postings past the last one.
        return new PostingPredictor(intercept + (slope * (w.Length - 1)), slope, w.Length, nonNegative);
    }

    private static double Median(IEnumerable<double> values)
    {
        var a = values.ToArray();
        return a.Length == 0 ? 0 : Stats.Quantile(a, 0.5); // type 7 at 0.5 is the median
    }

    /// <summary>Amount of the j-th future posting: <c>Anchor + Slope·j</c> (cut at 0 for non-negative amounts).</summary>
    private sealed record PostingPredictor(double Anchor, double Slope, int TrendPoints, bool NonNegative)
    {
        public double At(int j) => NonNegative ? Math.Max(0, Anchor + (Slope * j)) : Anchor + (Slope * j);

        public string Describe(IFormatProvider ci) => TrendPoints == 0
            ? $"median of last {LevelPostings} postings {Anchor.ToString("0.##", ci)}"
            : $"trend over last {TrendPoints} postings {Slope.ToString("+0.##;-0.##", ci)}/posting";
    }
}
