using Dwcp.Anomalies.Costs;
using Dwcp.Core.Costs;
using Dwcp.Cost.Anomalies;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests.Anomalies;

/// <summary>Every day of every incident, answers that do not depend on the query window, and feedback across the service and account rows.</summary>
public sealed partial class DemoAnomalyTests
{
    /// <summary>Every (incident, day) pair of incidents.json.</summary>
    private IEnumerable<(RecordedIncident Incident, DateOnly Day)> IncidentDays() =>
        demo.Incidents.SelectMany(i => Enumerable.Range(0, i.EndDate.DayNumber - i.StartDate.DayNumber + 1).Select(d => (i, i.StartDate.AddDays(d))));

    [Fact]
    public async Task Every_day_of_every_incident_is_found_at_service_level_with_its_root_cause_dimension()
    {
        var days = IncidentDays().ToList();
        Assert.True(days.Count > demo.Incidents.Count, "the incidents span several days each");
        foreach (var group in days.GroupBy(d => d.Incident))
        {
            var incident = group.Key;
            var report = await demo.Service().DetectAnomaliesAsync(new AnomalyRequest
            {
                From = incident.StartDate,
                To = incident.EndDate,
                Services = [incident.Service],
            }, CostScope.Everything);
            foreach (var (_, day) in group)
            {
                var found = report.Anomalies.SingleOrDefault(a => a.Anomaly.Account is null && a.Anomaly.Provider == incident.ProviderName
                    && DateOnly.FromDateTime(a.Anomaly.Timestamp) == day);
                Assert.True(found is not null, $"{incident.Id} {day:yyyy-MM-dd}: not reported at service level.");
                var top = found.Anomaly.RootCauses[0];
                Assert.True(DimensionOf(incident.RootCauseDimension) == top.Dimension, $"{incident.Id} {day:yyyy-MM-dd}: top contributor {top.Dimension}={top.Value}.");
                Assert.StartsWith(incident.RootCauseValue, top.Value, StringComparison.Ordinal);
                Assert.True(found.Anomaly.ActualCost > found.Anomaly.ExpectedCost * 1.5m, $"{incident.Id} {day:yyyy-MM-dd}: expected {found.Anomaly.ExpectedCost} follows the incident (actual {found.Anomaly.ActualCost}).");
                Assert.NotEmpty(found.Anomaly.ProbableCauses);
            }
        }
    }

    [Theory]
    [InlineData("INC-05")]
    [InlineData("INC-03")]
    public async Task A_day_gets_the_same_anomalies_and_expected_cost_whatever_the_query_window(string id)
    {
        var incident = demo.Incidents.Single(i => i.Id == id);
        var days = new[] { incident.StartDate.AddDays(-2), incident.StartDate, incident.StartDate.AddDays(2), incident.EndDate, incident.EndDate.AddDays(1) };
        var windows = new (int Before, int After)[] { (0, 0), (4, 0), (1, 1), (10, 30), (60, 0) };
        foreach (var day in days)
        {
            List<string>? reference = null;
            foreach (var (before, after) in windows)
            {
                var report = await demo.Service().DetectAnomaliesAsync(new AnomalyRequest
                {
                    From = day.AddDays(-before),
                    To = day.AddDays(after),
                    Services = [incident.Service],
                }, CostScope.Everything);
                var onDay = report.Anomalies.Where(a => DateOnly.FromDateTime(a.Anomaly.Timestamp) == day)
                    .Select(a => $"{a.Id} {a.Anomaly.ExpectedCost} {a.Anomaly.ActualCost} {a.Anomaly.Score}")
                    .Order(StringComparer.Ordinal).ToList();
                reference ??= onDay;
                Assert.True(reference.SequenceEqual(onDay), $"{day:yyyy-MM-dd} with window -{before}/+{after}: [{string.Join("; ", onDay)}] vs [{string.Join("; ", reference)}]");
            }

            Assert.Equal(day >= incident.StartDate && day <= incident.EndDate, reference!.Count > 0);
        }
    }

    [Fact]
    public async Task Marking_the_service_level_anomaly_expected_suppresses_the_account_row_of_the_same_day()
    {
        var incident = demo.Incidents.Single(i => i.Id == "INC-01");
        var folder = RepoPaths.NewTempDir("dwcp-feedback");
        var request = new AnomalyRequest { From = incident.StartDate, To = incident.StartDate, Services = [incident.Service], IncludeSuppressed = true };
        var before = await demo.Service(folder).DetectAnomaliesAsync(request, CostScope.Everything);
        var service = before.Anomalies.Single(a => a.Anomaly.Account is null);
        var account = before.Anomalies.Single(a => a.Anomaly.Account == incident.BillingAccountId);
        Assert.False(account.Anomaly.Suppressed);

        await demo.Service(folder).MarkAsync(service.Id, FeedbackKind.Expected, "migration", CostScope.Everything);
        var after = await demo.Service(folder).DetectAnomaliesAsync(request, CostScope.Everything);
        Assert.True(after.Anomalies.Single(a => a.Id == service.Id).Anomaly.Suppressed);
        var again = after.Anomalies.Single(a => a.Id == account.Id);
        Assert.True(again.Anomaly.Suppressed, "the account row of the same incident and day is still listed");
        Assert.Equal(0, again.Anomaly.Score);
        var listed = await demo.Service(folder).DetectAnomaliesAsync(request with { IncludeSuppressed = false }, CostScope.Everything);
        Assert.DoesNotContain(listed.Anomalies, a => a.Id == account.Id || a.Id == service.Id);

        // "Real" on the service row brings both back.
        await demo.Service(folder).MarkAsync(service.Id, FeedbackKind.Real, null, CostScope.Everything);
        var real = await demo.Service(folder).DetectAnomaliesAsync(request with { IncludeSuppressed = false }, CostScope.Everything);
        Assert.Contains(real.Anomalies, a => a.Id == account.Id && !a.Anomaly.Suppressed);
        Assert.Contains(real.Anomalies, a => a.Id == service.Id && !a.Anomaly.Suppressed);
    }
}
