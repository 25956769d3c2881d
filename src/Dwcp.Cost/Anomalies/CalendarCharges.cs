namespace Dwcp.Cost.Anomalies;

/// <summary>How a charge behaves over time, from its FOCUS ChargeCategory.</summary>
internal enum ChargeKind
{
    /// <summary>Usage (ChargeFrequency Usage-Based): follows the daily/weekly pattern the batch detector models.</summary>
    Usage,

    /// <summary>Tax and Purchase (ChargeFrequency Recurring): posted once per billing period, on a fixed day of it.</summary>
    Recurring,

    /// <summary>Credit and Adjustment (ChargeFrequency One-Time): contractual events, not consumption.</summary>
    OneTime,
}

/// <summary>
/// The calendar part of a daily cost series. Recurring charges (FOCUS ChargeCategory Tax and Purchase: a monthly tax,
/// a monthly commitment fee) follow the billing calendar, not the daily pattern: their expected amount on a day is the
/// median of the same charge on the same day of the previous <see cref="PeriodsBack"/> billing periods (calendar months;
/// a day past the end of a shorter month maps to that month's last day). The day is anomalous only when the recurring
/// amount itself changes materially: |actual − expected| &gt; <see cref="Tolerance"/>·|expected| and at least
/// <see cref="MinImpact"/> (a tax that doubles, a fee that appears from nothing). Before the series has one earlier
/// billing period there is nothing to compare with, and the recurring amount is taken as expected (warm-up).
/// One-time charges (Credit, Adjustment) are neither daily nor monthly patterns; they are always expected as billed.
/// </summary>
internal static class CalendarCharges
{
    /// <summary>Billing periods looked back for the expectation.</summary>
    public const int PeriodsBack = 3;

    /// <summary>Relative change of a recurring amount that is material (25%, the severity policy's major deviation).</summary>
    public const decimal Tolerance = 0.25m;

    /// <summary>Smallest change of a recurring amount that is reported (one currency unit).</summary>
    public const decimal MinImpact = 1m;

    /// <summary>The kind of a FOCUS ChargeCategory value; an unknown or missing category counts as usage.</summary>
    public static ChargeKind KindOf(string? chargeCategory) => chargeCategory?.Trim().ToUpperInvariant() switch
    {
        "TAX" or "PURCHASE" => ChargeKind.Recurring,
        "CREDIT" or "ADJUSTMENT" => ChargeKind.OneTime,
        _ => ChargeKind.Usage,
    };

    /// <summary>The same day of the billing period <paramref name="periodsBack"/> months earlier (clamped to that month's last day).</summary>
    public static DateOnly SameDayOfPeriod(DateOnly day, int periodsBack)
    {
        var month = new DateOnly(day.Year, day.Month, 1).AddMonths(-periodsBack);
        return new DateOnly(month.Year, month.Month, Math.Min(day.Day, DateTime.DaysInMonth(month.Year, month.Month)));
    }

    /// <summary>
    /// Expected recurring amount of day <paramref name="index"/> of a series starting on <paramref name="first"/>, the
    /// earlier days it is the median of (series indices, oldest first; empty in the warm-up), and whether the day's
    /// amount is a material change.
    /// </summary>
    public static (decimal Expected, IReadOnlyList<int> References, bool Changed) Assess(DateOnly first, decimal[] recurring, int index)
    {
        var day = first.AddDays(index);
        var references = new List<int>(PeriodsBack);
        for (var k = 1; k <= PeriodsBack; k++)
        {
            var j = SameDayOfPeriod(day, k).DayNumber - first.DayNumber;
            if (j < 0)
            {
                break;
            }

            references.Add(j);
        }

        if (references.Count == 0)
        {
            return (recurring[index], [], false);
        }

        references.Reverse();
        var expected = SeriesModel.Cents(SeriesModel.MedianOf(references.Select(j => recurring[j]).ToArray()));
        var change = Math.Abs(recurring[index] - expected);
        return (expected, references, change >= MinImpact && change > Tolerance * Math.Abs(expected));
    }

    /// <summary>A score in [0, 1] for a material recurring change: 1 − α at the tolerance edge, towards 1 as the change grows.</summary>
    public static double Score(decimal expected, decimal actual, double fpRate)
    {
        var change = Math.Abs(actual - expected);
        var edge = Math.Max(MinImpact, Tolerance * Math.Abs(expected));
        return change == 0 ? 0 : 1 - (fpRate * (double)Math.Min(1m, edge / change));
    }
}
