namespace Dwcp.Forecasting.Time;

/// <summary>
/// The sampling frequency of a series: a fixed step (minutes, hours, days, weeks) or a number of calendar months,
/// with the seasonal periods worth testing for it.
/// </summary>
public sealed record SeriesFrequency
{
    private SeriesFrequency(string name, TimeSpan step, int months, int[] periods)
    {
        Name = name;
        Step = step;
        Months = months;
        CandidatePeriods = periods;
    }

    /// <summary>Readable name, e.g. <c>30min</c>, <c>hourly</c>, <c>daily</c>, <c>weekly</c>, <c>monthly</c>.</summary>
    public string Name { get; }

    /// <summary>Fixed step; zero for calendar-month frequencies.</summary>
    public TimeSpan Step { get; }

    /// <summary>Calendar months per step (1 monthly, 3 quarterly, 12 yearly); 0 for fixed steps.</summary>
    public int Months { get; }

    /// <summary>Seasonal periods to test, ascending: 30-min 48/336, hourly 24/168, daily 7/30/365, weekly 52, monthly 12, quarterly 4.</summary>
    public IReadOnlyList<int> CandidatePeriods { get; }

    /// <summary>A fixed-step frequency with candidate periods derived from days and weeks.</summary>
    public static SeriesFrequency FixedStep(TimeSpan step)
    {
        if (step <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be positive.");
        }

        var day = TimeSpan.FromDays(1);
        if (step == TimeSpan.FromDays(7))
        {
            return new SeriesFrequency("weekly", step, 0, [52]);
        }

        if (step == day)
        {
            return new SeriesFrequency("daily", step, 0, [7, 30, 365]);
        }

        if (step < day && day.Ticks % step.Ticks == 0)
        {
            int perDay = (int)(day.Ticks / step.Ticks);
            string name = step == TimeSpan.FromHours(1) ? "hourly" : step.TotalMinutes >= 1 && step.TotalMinutes % 1 == 0 ? $"{step.TotalMinutes}min" : step.ToString();
            return new SeriesFrequency(name, step, 0, perDay * 7 <= 10_080 ? [perDay, perDay * 7] : [perDay]);
        }

        return new SeriesFrequency(step.ToString(), step, 0, []);
    }

    /// <summary>A calendar-month frequency (1 = monthly, 3 = quarterly, 12 = yearly).</summary>
    public static SeriesFrequency CalendarMonths(int months) => months switch
    {
        1 => new SeriesFrequency("monthly", TimeSpan.Zero, 1, [12]),
        3 => new SeriesFrequency("quarterly", TimeSpan.Zero, 3, [4]),
        12 => new SeriesFrequency("yearly", TimeSpan.Zero, 12, []),
        > 0 => new SeriesFrequency($"{months}-monthly", TimeSpan.Zero, months, []),
        _ => throw new ArgumentOutOfRangeException(nameof(months), months, "Months per step must be positive."),
    };

    /// <summary>
    /// Infers the frequency from the median step between consecutive distinct timestamps: 28–31 days → monthly,
    /// 89–92 → quarterly, 365–366 → yearly, else the median step itself.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two distinct timestamps.</exception>
    public static SeriesFrequency Infer(IReadOnlyList<DateTimeOffset> timestamps)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        var sorted = timestamps.Select(t => t.UtcTicks).Distinct().Order().ToArray();
        if (sorted.Length < 2)
        {
            throw new ArgumentException("At least two distinct timestamps are needed to infer a frequency.", nameof(timestamps));
        }

        var steps = new long[sorted.Length - 1];
        for (int i = 1; i < sorted.Length; i++)
        {
            steps[i - 1] = sorted[i] - sorted[i - 1];
        }

        Array.Sort(steps);
        var median = TimeSpan.FromTicks(steps[(steps.Length - 1) / 2]);
        double days = median.TotalDays;
        if (days >= 28 && days <= 31)
        {
            return CalendarMonths(1);
        }

        if (days >= 89 && days <= 92)
        {
            return CalendarMonths(3);
        }

        if (days >= 365 && days <= 366)
        {
            return CalendarMonths(12);
        }

        return FixedStep(median);
    }

    /// <summary>The timestamp <paramref name="steps"/> steps after <paramref name="anchor"/> (months keep month ends).</summary>
    public DateTimeOffset Advance(DateTimeOffset anchor, long steps)
    {
        if (Months == 0)
        {
            return anchor + TimeSpan.FromTicks(Step.Ticks * steps);
        }

        var shifted = anchor.AddMonths(checked((int)(steps * Months)));
        bool monthEnd = anchor.Day == DateTime.DaysInMonth(anchor.Year, anchor.Month);
        if (monthEnd)
        {
            int last = DateTime.DaysInMonth(shifted.Year, shifted.Month);
            shifted = shifted.AddDays(last - shifted.Day);
        }

        return shifted;
    }

    /// <summary>True for fixed steps of whole days (daily, weekly): their grid follows the local clock, so local
    /// midnights across a daylight-saving change (<c>00:00+01:00</c> then <c>00:00+02:00</c>) stay on it.</summary>
    public bool WholeDays => Months == 0 && Step.Ticks % TimeSpan.TicksPerDay == 0;

    /// <summary>
    /// The point <paramref name="steps"/> steps after <paramref name="anchor"/>, written at <paramref name="offset"/>.
    /// Whole-day steps keep the anchor's wall-clock time (a daily series at local midnight continues at local midnight
    /// in the new offset); other steps are exact elapsed time, shown in the new offset.
    /// </summary>
    public DateTimeOffset AdvanceAt(DateTimeOffset anchor, long steps, TimeSpan offset) =>
        WholeDays
            ? new DateTimeOffset(anchor.DateTime.AddTicks(Step.Ticks * steps), offset)
            : Advance(anchor, steps).ToOffset(offset);

    /// <summary>The grid index of <paramref name="t"/> counted from <paramref name="anchor"/>, or null when off the grid.
    /// Whole-day steps also accept a point on the grid of the local clock (see <see cref="WholeDays"/>).</summary>
    public long? IndexOf(DateTimeOffset anchor, DateTimeOffset t)
    {
        if (Months == 0)
        {
            long d = t.UtcTicks - anchor.UtcTicks;
            if (d % Step.Ticks == 0)
            {
                return d / Step.Ticks;
            }

            long clock = t.Ticks - anchor.Ticks; // wall-clock difference: equal to d unless the offsets differ
            return WholeDays && clock % Step.Ticks == 0 ? clock / Step.Ticks : null;
        }

        int monthsApart = (t.Year - anchor.Year) * 12 + t.Month - anchor.Month;
        if (monthsApart % Months != 0)
        {
            return null;
        }

        long k = monthsApart / Months;
        return Advance(anchor, k).UtcTicks == t.UtcTicks ? k : null;
    }
}
