using Dwcp.Forecasting.Time;

namespace Dwcp.Forecasting.Tests;

public class TimeTests
{
    private static DateTimeOffset[] Grid(DateTimeOffset start, Func<DateTimeOffset, int, DateTimeOffset> next, int n) =>
        [.. Enumerable.Range(0, n).Select(i => next(start, i))];

    [Theory]
    [InlineData(30, "30min", 48, 336)]
    [InlineData(60, "hourly", 24, 168)]
    [InlineData(1440, "daily", 7, 30)]
    [InlineData(10080, "weekly", 52, 0)]
    public void Infers_fixed_step_frequencies(int minutes, string name, int p1, int p2)
    {
        var t0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ts = Grid(t0, (s, i) => s.AddMinutes(minutes * i), 20).ToList();
        ts.RemoveAt(5); // a gap does not change the median step
        var f = SeriesFrequency.Infer(ts);
        Assert.Equal(name, f.Name);
        Assert.Equal(p1, f.CandidatePeriods[0]);
        if (p2 > 0)
        {
            Assert.Equal(p2, f.CandidatePeriods[1]);
        }
    }

    [Fact]
    public void Infers_monthly_and_continues_month_ends_by_calendar()
    {
        var ts = new[] { "2023-10-31", "2023-11-30", "2023-12-31", "2024-01-31" }.Select(s => DateTimeOffset.Parse(s + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var f = SeriesFrequency.Infer(ts);
        Assert.Equal("monthly", f.Name);
        Assert.Equal(new DateTime(2024, 2, 29), f.Advance(ts[0], 4).Date);
        Assert.Equal(new DateTime(2024, 3, 31), f.Advance(ts[0], 5).Date);
        Assert.Equal(3, f.IndexOf(ts[0], ts[3]));
        Assert.Null(f.IndexOf(ts[0], ts[3].AddDays(-1)));
    }

    [Fact]
    public void Infers_quarterly_and_monthly_mid_month()
    {
        var q = Enumerable.Range(0, 8).Select(i => new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(3 * i)).ToArray();
        Assert.Equal("quarterly", SeriesFrequency.Infer(q).Name);
        var m = Enumerable.Range(0, 8).Select(i => new DateTimeOffset(2020, 1, 15, 0, 0, 0, TimeSpan.Zero).AddMonths(i)).ToArray();
        var f = SeriesFrequency.Infer(m);
        Assert.Equal(new DateTimeOffset(2020, 9, 15, 0, 0, 0, TimeSpan.Zero), f.Advance(m[0], 8));
    }

    [Fact]
    public void Off_grid_timestamps_have_no_index()
    {
        var f = SeriesFrequency.FixedStep(TimeSpan.FromHours(1));
        var t0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(5, f.IndexOf(t0, t0.AddHours(5)));
        Assert.Null(f.IndexOf(t0, t0.AddMinutes(90)));
    }

    [Theory]
    [InlineData("2024-03-01")]
    [InlineData("2024-03-01 13:30:00")]
    [InlineData("2024-03-01T13:30")]
    [InlineData("2024-03-01T13:30:00Z")]
    [InlineData("2024-03-01T13:30:00+05:30")]
    [InlineData("2024-03-01T13:30:00.25-04:00")]
    [InlineData("2024-01-03T11:00:00.000Z")]
    [InlineData("2024-01-03T11:00:00.500")]
    [InlineData("2024-01-03T11:00:00+0200")]
    [InlineData("2024-01-03 11:00:00.1234567-0330")]
    public void Timestamps_round_trip_in_their_input_format(string text)
    {
        Assert.True(TimestampFormat.TryParse(text, out var t, out var fmt));
        Assert.Equal(text, fmt.Format(t));
    }

    [Theory]
    [InlineData("2024-01-03T11:00:00.000Z", 1, "2024-01-03T12:00:00.000Z")]
    [InlineData("2024-01-03T11:00:00.500", 1, "2024-01-03T12:00:00.500")]
    [InlineData("2024-01-03T11:00:00+0200", 2, "2024-01-03T13:00:00+0200")]
    [InlineData("2024-01-03T23:30:00.50+05:30", 1, "2024-01-04T00:30:00.50+05:30")]
    public void Later_timestamps_keep_the_fraction_digits_and_offset_style(string text, int hours, string expected)
    {
        Assert.True(TimestampFormat.TryParse(text, out var t, out var fmt));
        Assert.Equal(expected, fmt.Format(t.AddHours(hours)));
    }

    [Theory]
    [InlineData("03/01/2024")]
    [InlineData("2024-13-01")]
    [InlineData("yesterday")]
    public void Rejects_non_ISO_timestamps(string text) => Assert.False(TimestampFormat.TryParse(text, out _, out _));
}
