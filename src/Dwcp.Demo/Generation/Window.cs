namespace Dwcp.Demo.Generation;

/// <summary>The fixed generation window: day indexes 0..Days-1 from <see cref="From"/>.</summary>
internal sealed record Window(DateOnly From, DateOnly To)
{
    /// <summary>Number of days, both ends included.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The date of a day index.</summary>
    public DateOnly Date(int day) => From.AddDays(day);

    /// <summary>The day index of a date.</summary>
    public int DayOf(DateOnly date) => date.DayNumber - From.DayNumber;

    /// <summary>Midnight UTC of a date.</summary>
    public static DateTime Utc(DateOnly date) => date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>First day of the month of a date.</summary>
    public static DateOnly MonthStart(DateOnly date) => new(date.Year, date.Month, 1);

    /// <summary>The part of a date's month inside the window, as [start, end) dates.</summary>
    public (DateOnly Start, DateOnly EndExclusive) MonthInWindow(DateOnly date)
    {
        var start = MonthStart(date);
        var end = start.AddMonths(1);
        return (start < From ? From : start, end > To.AddDays(1) ? To.AddDays(1) : end);
    }

    /// <summary>Whether a date is a Saturday or a Sunday.</summary>
    public static bool IsWeekend(DateOnly date) => date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>Whether a date is in the logistics peak season (22 November to 24 December).</summary>
    public static bool IsPeakSeason(DateOnly date) =>
        (date.Month == 11 && date.Day >= 22) || (date.Month == 12 && date.Day <= 24);
}
