using System.Text.Json;
using Dwcp.Core;
using Dwcp.Tests;

namespace Dwcp.Demo.Tests;

[Collection(DemoDataCollection.Name)]
public sealed class IncidentTests(DemoDataFixture data)
{
    private const int History = 28;

    private IReadOnlyList<DemoIncident> Incidents => data.Generator.Incidents;

    [Fact]
    public void Three_to_six_incidents_lie_inside_the_window_with_four_weeks_of_history_before_them()
    {
        var options = data.Generator.Options;

        Assert.InRange(Incidents.Count, 3, 6);
        Assert.Equal(Incidents.Count, Incidents.Select(i => i.Id).Distinct().Count());
        Assert.All(Incidents, i =>
        {
            Assert.True(i.StartDate >= options.From.AddDays(History), $"{i.Id} starts {i.StartDate}");
            Assert.True(i.EndDate <= options.To, $"{i.Id} ends {i.EndDate}");
            Assert.InRange(i.Days, 2, 7);
            Assert.True(i.ExtraCost > 0, $"{i.Id} adds nothing");
            Assert.Equal(CloudProviders.CanonicalName(i.Provider), i.ProviderName);
        });
    }

    [Fact]
    public void Each_incident_lifts_its_service_to_at_least_one_and_a_half_times_its_recent_median()
    {
        foreach (var incident in Incidents)
        {
            var daily = ServiceDaily(incident);
            var median = Median(Enumerable.Range(1, History).Select(d => daily.GetValueOrDefault(incident.StartDate.AddDays(-d))));
            var peak = Enumerable.Range(0, incident.Days).Max(d => daily.GetValueOrDefault(incident.StartDate.AddDays(d)));

            Assert.True(median > 0, $"{incident.Id}: {incident.Service} has no history");
            Assert.True(peak >= 1.5m * median, $"{incident.Id}: peak {peak:N2} vs median {median:N2}");
        }
    }

    [Fact]
    public void Every_day_of_every_incident_lifts_its_service_above_one_and_a_half_times_its_recent_median()
    {
        // Per day, not only the peak: the anomaly tests (Dwcp.Cost.Tests DemoAnomalyTests) expect every incident day to be
        // reported, which is only fair when every day stands out.
        foreach (var incident in Incidents)
        {
            var daily = ServiceDaily(incident);
            var median = Median(Enumerable.Range(1, History).Select(d => daily.GetValueOrDefault(incident.StartDate.AddDays(-d))));
            for (var day = incident.StartDate; day <= incident.EndDate; day = day.AddDays(1))
            {
                Assert.True(daily.GetValueOrDefault(day) >= 1.5m * median, $"{incident.Id} {day:yyyy-MM-dd}: {daily.GetValueOrDefault(day):N2} vs median {median:N2}");
            }
        }
    }

    [Fact]
    public void The_root_cause_value_carries_the_extra_cost_and_rises_most_within_its_dimension()
    {
        foreach (var incident in Incidents)
        {
            var rows = data.Rows.Where(r => r.Provider == incident.ProviderName && r.Service == incident.Service && r.IsDaily
                && r.Start >= incident.StartDate.AddDays(-History) && r.Start <= incident.EndDate).ToList();
            var increases = rows.GroupBy(r => Dimension(r, incident.RootCauseDimension) ?? "<null>")
                .ToDictionary(g => g.Key, g => Increase(g, incident));

            var top = increases.MaxBy(i => i.Value);
            Assert.Equal(incident.RootCauseValue, top.Key);
            Assert.InRange(top.Value, incident.ExtraCost * 0.7m, incident.ExtraCost * 2m);
            Assert.All(rows.Where(r => Dimension(r, incident.RootCauseDimension) == incident.RootCauseValue && r.Start >= incident.StartDate),
                r => Assert.Equal(incident.BillingAccountId, r.BillingAccountId));
        }
    }

    [Fact]
    public void Incidents_are_written_as_snake_case_json()
    {
        var path = Path.Combine(RepoPaths.NewTempDir("dwcp-demo"), "out", "incidents.json");

        DemoDataGenerator.WriteIncidentsJson(path, Incidents);

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var items = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(Incidents.Count, items.Count);
        string[] names = ["id", "start_date", "end_date", "provider", "provider_name", "service", "billing_account_id",
            "root_cause_dimension", "root_cause_value", "extra_cost", "description"];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var expected = Incidents[i];
            Assert.Equal(names, item.EnumerateObject().Select(p => p.Name));
            Assert.Equal(expected.Id, item.GetProperty("id").GetString());
            Assert.Equal(expected.StartDate.ToString("yyyy-MM-dd"), item.GetProperty("start_date").GetString());
            Assert.Equal(expected.EndDate.ToString("yyyy-MM-dd"), item.GetProperty("end_date").GetString());
            Assert.Contains(item.GetProperty("provider").GetString(), new[] { "AWS", "AZURE", "GCP", "ORACLE", "IBM", "ALIBABA" });
            Assert.Equal(expected.ProviderName, item.GetProperty("provider_name").GetString());
            Assert.Contains(item.GetProperty("root_cause_dimension").GetString(),
                new[] { "region", "resource", "sub_account", "sku", "charge_category", "pricing_category" });
            Assert.Equal(expected.RootCauseValue, item.GetProperty("root_cause_value").GetString());
            Assert.Equal(expected.ExtraCost, item.GetProperty("extra_cost").GetDecimal());
        }

        Assert.Equal("AWS", items[0].GetProperty("provider").GetString());
        Assert.Equal("region", items[0].GetProperty("root_cause_dimension").GetString());
        Assert.Contains(items, i => i.GetProperty("root_cause_dimension").GetString() == "sub_account");
    }

    private Dictionary<DateOnly, decimal> ServiceDaily(DemoIncident incident) => data.Rows
        .Where(r => r.Provider == incident.ProviderName && r.Service == incident.Service && r.IsDaily)
        .GroupBy(r => r.Start)
        .ToDictionary(g => g.Key, g => g.Sum(r => r.Effective));

    /// <summary>Cost over the incident days minus the same number of days at the slice's median of the weeks before.</summary>
    private static decimal Increase(IEnumerable<RowFacts> slice, DemoIncident incident)
    {
        var daily = slice.GroupBy(r => r.Start).ToDictionary(g => g.Key, g => g.Sum(r => r.Effective));
        var median = Median(Enumerable.Range(1, History).Select(d => daily.GetValueOrDefault(incident.StartDate.AddDays(-d))));
        var during = Enumerable.Range(0, incident.Days).Sum(d => daily.GetValueOrDefault(incident.StartDate.AddDays(d)));
        return during - (median * incident.Days);
    }

    private static string? Dimension(RowFacts row, DemoRootCauseDimension dimension) => dimension switch
    {
        DemoRootCauseDimension.Region => row.RegionId,
        DemoRootCauseDimension.Resource => row.ResourceId,
        DemoRootCauseDimension.SubAccount => row.SubAccountId,
        DemoRootCauseDimension.Sku => row.SkuId,
        DemoRootCauseDimension.ChargeCategory => row.ChargeCategory,
        DemoRootCauseDimension.PricingCategory => row.PricingCategory,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
    };

    private static decimal Median(IEnumerable<decimal> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
