using Dwcp.Core;

namespace Dwcp.Demo.Tests;

[Collection(DemoDataCollection.Name)]
public sealed class EstateTests(DemoDataFixture data)
{
    private static readonly DateOnly From = new(2023, 12, 1);
    private static readonly DateOnly To = new(2024, 12, 31);

    [Fact]
    public void All_six_providers_appear_under_their_canonical_names()
    {
        var expected = new[] { CloudProvider.Aws, CloudProvider.Azure, CloudProvider.Gcp, CloudProvider.Oracle, CloudProvider.Ibm, CloudProvider.Alibaba }
            .Select(CloudProviders.CanonicalName)
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, data.Rows.Select(r => r.Provider).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void There_are_between_40_and_60_distinct_services_and_at_least_five_per_provider()
    {
        var services = data.Rows.Select(r => r.Service).Distinct().Count();
        var perProvider = data.Rows.GroupBy(r => r.Provider).ToDictionary(g => g.Key, g => g.Select(r => r.Service).Distinct().Count());

        Assert.InRange(services, 40, 60);
        Assert.All(perProvider, p => Assert.True(p.Value >= 5, $"{p.Key} has {p.Value} services"));
    }

    [Fact]
    public void Every_day_of_the_window_has_rows_and_no_row_lies_outside_it()
    {
        var days = data.Rows.Select(r => r.Start).Distinct().Order().ToList();
        var expected = Enumerable.Range(0, To.DayNumber - From.DayNumber + 1).Select(From.AddDays).ToList();

        Assert.Equal(expected, days);
        Assert.All(data.Rows, r => Assert.True(r.End <= To.AddDays(1), $"row ends {r.End}"));
    }

    [Fact]
    public void January_2024_has_rows_for_aws_azure_and_google_cloud()
    {
        var january = data.Rows.Where(r => r.Start.Year == 2024 && r.Start.Month == 1).Select(r => r.Provider).ToHashSet();

        Assert.Contains("AWS", january);
        Assert.Contains("Microsoft", january);
        Assert.Contains("Google Cloud", january);
    }

    [Fact]
    public void The_data_set_has_between_150_thousand_and_400_thousand_rows() => Assert.InRange(data.Rows.Count, 150_000, 400_000);

    [Fact]
    public void A_typical_day_costs_in_the_low_tens_of_thousands_of_dollars()
    {
        var daily = data.Rows.Where(r => r.IsDaily).GroupBy(r => r.Start).Select(g => g.Sum(r => r.Effective)).Order().ToList();

        Assert.InRange(daily[daily.Count / 2], 10_000m, 40_000m);
    }

    [Fact]
    public void Between_5_and_25_percent_of_resources_are_untagged()
    {
        var resources = data.Rows.Where(r => r.ResourceId is not null)
            .GroupBy(r => r.ResourceId)
            .Select(g => g.All(r => r.Tags is null))
            .ToList();

        var untagged = resources.Count(u => u) / (double)resources.Count;

        Assert.True(resources.Count > 300, $"{resources.Count} resources");
        Assert.InRange(untagged, 0.05, 0.25);
    }

    [Fact]
    public void Each_provider_has_one_or_two_billing_accounts_and_several_sub_accounts()
    {
        foreach (var provider in data.Rows.GroupBy(r => r.Provider))
        {
            Assert.InRange(provider.Select(r => r.BillingAccountId).Distinct().Count(), 1, 2);
            Assert.True(provider.Select(r => r.SubAccountId).OfType<string>().Distinct().Count() >= 3, provider.Key);
        }
    }

    [Fact]
    public void Compute_costs_more_on_weekdays_while_storage_stays_flat()
    {
        static decimal Ratio(IEnumerable<RowFacts> rows)
        {
            var byDay = rows.GroupBy(r => r.Start).ToDictionary(g => g.Key, g => g.Sum(r => r.List));
            var weekend = byDay.Where(d => d.Key.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday).Average(d => d.Value);
            var weekday = byDay.Where(d => d.Key.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).Average(d => d.Value);
            return weekday / weekend;
        }

        var usage = data.Rows.Where(r => r.ChargeCategory == "Usage" && r.CommitmentStatus is null).ToList();

        Assert.True(Ratio(usage.Where(r => r.ServiceCategory == "Compute")) > 1.10m, "compute is not weekday-heavy");
        Assert.InRange(Ratio(usage.Where(r => r.ServiceCategory == "Storage" && r.PricingUnit == "GB-Months")), 0.97m, 1.03m);
    }

    [Fact]
    public void Some_services_grow_over_the_year_and_some_shrink()
    {
        decimal MonthCost(IGrouping<(string, string), RowFacts> service, int month) =>
            service.Where(r => r.Start.Year == 2024 && r.Start.Month == month && r.ChargeCategory == "Usage").Sum(r => r.List);

        var change = data.Rows.GroupBy(r => (r.Provider, r.Service))
            .Select(g => (g.Key, Jan: MonthCost(g, 1), Oct: MonthCost(g, 10)))
            .Where(s => s.Jan > 1_000m)
            .ToDictionary(s => s.Key, s => s.Oct / s.Jan);

        Assert.Contains(change, c => c.Value > 1.2m);
        Assert.Contains(change, c => c.Value < 0.8m);
    }
}
