using System.Collections;
using Dwcp.Core.Focus;

namespace Dwcp.Demo.Tests;

public sealed class OptionsTests
{
    private static readonly DemoOptions ShortWindow = new() { Seed = 3, From = new(2024, 2, 1), To = new(2024, 2, 10) };

    [Fact]
    public void A_custom_window_yields_rows_for_exactly_its_days_and_no_incidents()
    {
        var generator = new DemoDataGenerator(ShortWindow);
        var rows = generator.GenerateRows().ToList();

        var days = rows.Select(r => DateOnly.FromDateTime(r.ChargePeriodStart!.Value)).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(ShortWindow.From.AddDays), days);
        Assert.All(rows, r => Assert.True(r.ChargePeriodEnd <= new DateTime(2024, 2, 11, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Contains(rows, r => r.ChargeCategory == "Tax");
        Assert.Empty(generator.Incidents);
    }

    [Fact]
    public void A_window_starting_mid_month_keeps_every_row_rule_and_places_incidents_inside_it()
    {
        var options = new DemoOptions { Seed = 11, From = new(2024, 3, 15), To = new(2024, 5, 20) };
        var generator = new DemoDataGenerator(options);
        var problems = new List<string>();
        var starts = new HashSet<DateOnly>();

        foreach (var row in generator.GenerateRows())
        {
            starts.Add(DateOnly.FromDateTime(row.ChargePeriodStart!.Value));
            problems.AddRange(RowRules.All.SelectMany(rule => rule.Check(row).Select(p => $"{rule.Name}: {p}")).Take(3));
        }

        Assert.Empty(problems.Take(10));
        Assert.Equal(options.From, starts.Min());
        Assert.Equal(options.To, starts.Max());
        Assert.InRange(generator.Incidents.Count, 3, 6);
        Assert.All(generator.Incidents, i => Assert.True(i.StartDate >= options.From.AddDays(28) && i.EndDate <= options.To, i.Id));
    }

    [Fact]
    public void A_window_that_ends_before_it_starts_is_rejected()
    {
        var options = new DemoOptions { From = new(2024, 5, 2), To = new(2024, 5, 1) };

        Assert.Throws<ArgumentException>(() => new DemoDataGenerator(options));
    }

    [Fact]
    public void Rows_are_streamed_day_by_day_rather_than_collected_first()
    {
        var rows = new DemoDataGenerator(ShortWindow).GenerateRows();

        Assert.False(rows is ICollection, "GenerateRows returned a materialised collection");
        Assert.False(rows is ICollection<FocusRow>, "GenerateRows returned a materialised collection");
        var daily = rows.Where(r => r.ChargePeriodEnd - r.ChargePeriodStart == TimeSpan.FromDays(1)).Select(r => r.ChargePeriodStart!.Value).ToList();
        Assert.Equal(daily.Order(), daily);
        Assert.Equal(new DateTime(2024, 2, 1, 0, 0, 0, DateTimeKind.Utc), rows.First().ChargePeriodStart);
    }

    [Fact]
    public void Writing_incidents_requires_a_path_and_a_list()
    {
        Assert.ThrowsAny<ArgumentException>(() => DemoDataGenerator.WriteIncidentsJson(" ", []));
        Assert.Throws<ArgumentNullException>(() => DemoDataGenerator.WriteIncidentsJson("x.json", null!));
    }
}
