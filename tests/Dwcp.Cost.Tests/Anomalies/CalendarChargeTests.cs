using Dwcp.Cost.Anomalies;

namespace Dwcp.Cost.Tests.Anomalies;

/// <summary>Recurring month-start charges are judged on the billing calendar, not against the daily pattern.</summary>
public sealed class CalendarChargeTests
{
    private static readonly DateOnly First = new(2024, 1, 1);

    /// <summary>
    /// 152 days (Jan–May 2024) of usage around 1,000 a day (weekends 20% lower, seeded ±2% noise) and a tax of
    /// <paramref name="tax"/>(month) posted on the first day of every month.
    /// </summary>
    private static SeriesParts Series(Func<int, decimal> tax)
    {
        var rng = new Random(7);
        var n = new DateOnly(2024, 5, 31).DayNumber - First.DayNumber + 1;
        var usage = new decimal[n];
        var recurring = new decimal[n];
        for (var i = 0; i < n; i++)
        {
            var day = First.AddDays(i);
            var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            usage[i] = Math.Round((weekend ? 800m : 1000m) * (1 + (0.02m * (decimal)((rng.NextDouble() * 2) - 1))), 2);
            recurring[i] = day.Day == 1 ? tax(day.Month) : 0m;
        }

        return new SeriesParts(usage, recurring, new decimal[n]);
    }

    private static int Index(int month) => new DateOnly(2024, month, 1).DayNumber - First.DayNumber;

    [Fact]
    public void A_monthly_tax_that_stays_the_same_is_not_flagged_but_the_same_money_as_daily_usage_is()
    {
        var parts = Series(_ => 150m);
        var model = SeriesModel.Fit(First, parts, 0.05);

        for (var month = 1; month <= 5; month++)
        {
            var i = Index(month);
            Assert.False(model.Flagged[i], $"{First.AddDays(i)}: the unchanged monthly tax was flagged.");
            var expected = model.ExpectedFor(i);
            Assert.Equal(150m, expected.Recurring); // January: warm-up (taken as billed); later: the median of the earlier 1sts
            Assert.Equal(month == 1 ? Array.Empty<int>() : Enumerable.Range(Math.Max(1, month - 3), Math.Min(3, month - 1)).Select(Index).ToArray(), expected.References.ToArray());
            Assert.Equal(parts.Usage[i] + parts.Recurring[i], model.Actual[i]);
        }

        // The control: modelled as daily usage (what the detector did before), the same tax days stand out.
        var asUsage = SeriesModel.Fit(First, parts.Usage.Select((u, i) => u + parts.Recurring[i]).ToArray(), 0.05);
        Assert.True(Enumerable.Range(2, 4).Count(m => asUsage.Flagged[Index(m)]) >= 3, "expected the daily model to flag the tax days");
    }

    [Fact]
    public void A_monthly_tax_that_doubles_is_flagged_against_the_earlier_months()
    {
        var parts = Series(month => month == 5 ? 300m : 150m);
        var model = SeriesModel.Fit(First, parts, 0.05);

        var may = Index(5);
        Assert.True(model.Flagged[may], "the doubled tax of May was not flagged");
        var expected = model.ExpectedFor(may);
        Assert.Equal(150m, expected.Recurring);
        Assert.Equal(expected.Usage + 150m, model.Expected[may]);
        Assert.Equal([Index(2), Index(3), Index(4)], expected.References.ToArray());
        Assert.InRange(model.Scores[may], 0.95, 1.0);
        Assert.All(Enumerable.Range(1, 4), m => Assert.False(model.Flagged[Index(m)]));
    }

    [Theory]
    [InlineData("Tax", nameof(ChargeKind.Recurring))]
    [InlineData("purchase", nameof(ChargeKind.Recurring))]
    [InlineData("Credit", nameof(ChargeKind.OneTime))]
    [InlineData("Adjustment", nameof(ChargeKind.OneTime))]
    [InlineData("Usage", nameof(ChargeKind.Usage))]
    [InlineData(null, nameof(ChargeKind.Usage))]
    public void Charge_categories_map_to_their_calendar_kind(string? category, string kind) =>
        Assert.Equal(kind, CalendarCharges.KindOf(category).ToString());

    [Theory]
    [InlineData("2024-03-31", 1, "2024-02-29")]
    [InlineData("2024-03-01", 3, "2023-12-01")]
    [InlineData("2024-05-15", 2, "2024-03-15")]
    public void The_same_day_of_an_earlier_billing_period_is_clamped_to_its_last_day(string day, int back, string expected) =>
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            CalendarCharges.SameDayOfPeriod(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture), back));
}
