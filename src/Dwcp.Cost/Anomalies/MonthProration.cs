namespace Dwcp.Cost.Anomalies;

/// <summary>
/// Storage-like charges as a step series. A charge priced per month (FOCUS PricingUnit such as <c>GB-Months</c>,
/// <c>GiB-Mo</c>, <c>Month</c>; or a usage row with ChargeFrequency <c>Recurring</c>, a monthly fee spread over the
/// days) costs quantity × price / days-in-month per day. Its daily cost steps at every month boundary by
/// days(previous month)/days(next month) (31→29 days: +6.9%) with no change in what is stored. When a flagged day's
/// baseline lies in months of a different length, each baseline day's month-priced cost is restated in the day's month:
/// cost_b · days(month of b)/days(month of d), and the day is judged again against that expectation.
/// </summary>
internal static class MonthProration
{
    /// <summary>Whether a usage row is priced per month (its daily cost is prorated by the days of the month).</summary>
    public static bool IsMonthPriced(string? pricingUnit, string? chargeFrequency)
    {
        if (string.Equals(chargeFrequency?.Trim(), "Recurring", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (pricingUnit is null)
        {
            return false;
        }

        // "GB-Months", "GB-Mo", "GiB Month", "TB-Month", "Month": the time unit is the month.
        var unit = pricingUnit.Trim();
        var dash = unit.LastIndexOfAny(['-', ' ', '/']);
        var time = dash < 0 ? unit : unit[(dash + 1)..];
        return time.Equals("Month", StringComparison.OrdinalIgnoreCase) || time.Equals("Months", StringComparison.OrdinalIgnoreCase)
            || time.Equals("Mo", StringComparison.OrdinalIgnoreCase) || time.Equals("Mos", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The factor restating a month-priced daily cost of <paramref name="from"/> in the month of <paramref name="to"/>: days(from's month)/days(to's month).</summary>
    public static decimal Factor(DateOnly from, DateOnly to) =>
        (decimal)DateTime.DaysInMonth(from.Year, from.Month) / DateTime.DaysInMonth(to.Year, to.Month);
}
