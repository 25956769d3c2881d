using Dwcp.Anomalies.Costs;
using Dwcp.Core.Costs;
using Dwcp.Cost.Anomalies;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests.Anomalies;

/// <summary>Cost anomalies over the seed-42 demo store: the injected incidents, reconciliation, scope and feedback.</summary>
public sealed partial class DemoAnomalyTests(DemoStoreFixture demo) : IClassFixture<DemoStoreFixture>
{
    private static readonly string[] Ids = ["INC-01", "INC-02", "INC-03", "INC-04", "INC-05"];

    public static TheoryData<string> IncidentIds => new(Ids);

    private static string DimensionOf(string demoDimension) => demoDimension switch
    {
        "region" => CostDimensions.Region,
        "resource" => CostDimensions.Resource,
        "sub_account" => CostDimensions.Account,
        "sku" => CostDimensions.Sku,
        "charge_category" => CostDimensions.ChargeCategory,
        "pricing_category" => CostDimensions.PricingCategory,
        _ => throw new ArgumentOutOfRangeException(nameof(demoDimension), demoDimension, "Unknown root-cause dimension in incidents.json."),
    };

    private Task<AnomalyReport> AroundAsync(RecordedIncident incident, CostScope scope, CostAnomalyService? service = null, bool includeSuppressed = false, bool publish = false) =>
        (service ?? demo.Service()).DetectAnomaliesAsync(new AnomalyRequest
        {
            From = incident.StartDate.AddDays(-1),
            To = incident.StartDate.AddDays(1),
            Services = [incident.Service],
            IncludeSuppressed = includeSuppressed,
            Publish = publish,
        }, scope);

    private static IEnumerable<StoreCostAnomaly> OnIncident(AnomalyReport report, RecordedIncident incident) =>
        report.Anomalies.Where(a => a.Anomaly.Provider == incident.ProviderName && a.Anomaly.Service == incident.Service
            && (a.Anomaly.Account is null || a.Anomaly.Account == incident.BillingAccountId)
            && Math.Abs(DateOnly.FromDateTime(a.Anomaly.Timestamp).DayNumber - incident.StartDate.DayNumber) <= 1);

    [Fact]
    public void The_demo_recorded_the_five_incidents()
    {
        Assert.Equal(Ids, demo.Incidents.Select(i => i.Id));
    }

    [Theory]
    [MemberData(nameof(IncidentIds))]
    public async Task Every_incident_is_found_on_its_start_day_with_its_root_cause_dimension_on_top(string id)
    {
        var incident = demo.Incidents.Single(i => i.Id == id);
        var found = OnIncident(await AroundAsync(incident, CostScope.Everything), incident).ToList();

        Assert.True(found.Count > 0, $"{id}: no anomaly on {incident.Service} within a day of {incident.StartDate:yyyy-MM-dd}.");
        var dimension = DimensionOf(incident.RootCauseDimension);
        var serviceLevel = found.Where(a => a.Anomaly.Account is null).OrderByDescending(a => a.Impact).First();
        var top = serviceLevel.Anomaly.RootCauses[0];
        Assert.True(dimension == top.Dimension, $"{id}: top contributor is {top.Dimension}={top.Value}, expected {dimension}={incident.RootCauseValue}.");
        Assert.StartsWith(incident.RootCauseValue, top.Value, StringComparison.Ordinal);
        Assert.True(top.DollarDelta > 0 && serviceLevel.Anomaly.ActualCost > serviceLevel.Anomaly.ExpectedCost);
        Assert.NotEmpty(serviceLevel.Anomaly.ProbableCauses);
        Assert.Equal(serviceLevel.Anomaly.ProbableCauses.Count, serviceLevel.Anomaly.RecommendedActions.Count);
    }

    [Theory]
    [MemberData(nameof(IncidentIds))]
    public async Task Root_cause_deltas_reconcile_to_the_cent_in_every_dimension(string id)
    {
        var incident = demo.Incidents.Single(i => i.Id == id);
        var report = await AroundAsync(incident, CostScope.Everything);
        Assert.NotEmpty(report.Anomalies);
        foreach (var a in report.Anomalies)
        {
            var total = a.Anomaly.ActualCost - a.Anomaly.ExpectedCost;
            Assert.Equal(CostDimensions.All.Order(StringComparer.Ordinal), a.Breakdown.Keys.Order(StringComparer.Ordinal));
            foreach (var (dim, list) in a.Breakdown)
            {
                Assert.Equal(total, list.Sum(c => c.DollarDelta));
                Assert.Equal(a.Anomaly.ExpectedCost, list.Sum(c => c.Expected));
                Assert.Equal(a.Anomaly.ActualCost, list.Sum(c => c.Actual));
                Assert.All(list, c => Assert.Equal(c.Actual - c.Expected, c.DollarDelta));
                Assert.All(list, c => Assert.Equal(decimal.Round(c.DollarDelta, 2), c.DollarDelta));
                Assert.Equal(dim, Assert.Single(list.Select(c => c.Dimension).Distinct()));
            }

            Assert.Equal(a.Anomaly.ExpectedCost, a.Series.Single(p => p.Day == DateOnly.FromDateTime(a.Anomaly.Timestamp)).Expected);
        }

        // The actual side checked against the store by a second path: the query layer's daily total per region.
        var top = OnIncident(report, incident).Where(a => a.Anomaly.Account is null).OrderByDescending(a => a.Impact).First();
        var day = DateOnly.FromDateTime(top.Anomaly.Timestamp);
        var byRegion = await demo.Costs.QueryAsync(new CostQuery
        {
            From = day,
            To = day,
            RankBy = CostMeasure.Effective,
            GroupBy = [new CostGrouping(CostDimension.Region)],
            Filters = [new CostFilter(new CostGrouping(CostDimension.Service), [incident.Service]), new CostFilter(new CostGrouping(CostDimension.Provider), [incident.ProviderName])],
        }, CostScope.Everything);
        Assert.Equal(decimal.Round(byRegion.Lines.Sum(l => l.EffectiveCost), 2, MidpointRounding.AwayFromZero), top.Anomaly.ActualCost);
        foreach (var line in byRegion.Lines)
        {
            var value = line.Keys[0] ?? "(none)";
            var contributor = top.Breakdown[CostDimensions.Region].SingleOrDefault(c => c.Value == value);
            if (contributor is not null)
            {
                Assert.True(Math.Abs(contributor.Actual - line.EffectiveCost) <= 0.01m, $"{value}: {contributor.Actual} vs {line.EffectiveCost}");
            }
        }
    }

    [Fact]
    public async Task Two_scopes_see_different_anomalies_on_the_same_day()
    {
        var incident = demo.Incidents.Single(i => i.Id == "INC-01");
        var accounts = (await demo.Costs.QueryAsync(new CostQuery
        {
            From = incident.StartDate,
            To = incident.StartDate,
            GroupBy = [new CostGrouping(CostDimension.BillingAccount)],
            Filters = [new CostFilter(new CostGrouping(CostDimension.Service), [incident.Service])],
        }, CostScope.Everything)).Lines.Select(l => l.Keys[0]!).Distinct().ToList();
        Assert.Contains(incident.BillingAccountId, accounts);
        var others = accounts.Where(a => a != incident.BillingAccountId).ToHashSet();
        Assert.NotEmpty(others);

        var owner = new CostScope { BillingAccounts = new HashSet<string> { incident.BillingAccountId } };
        var rest = new CostScope { BillingAccounts = others };
        var ownerView = OnIncident(await AroundAsync(incident, owner), incident).Where(a => a.Anomaly.Account is null).ToList();
        var restView = await AroundAsync(incident, rest);

        // The owner sees the spike, valued on its own account only (checked against the account-filtered daily total).
        var spike = ownerView.OrderByDescending(a => a.Impact).First();
        var day = DateOnly.FromDateTime(spike.Anomaly.Timestamp);
        var ownTotal = (await demo.Costs.QueryAsync(new CostQuery
        {
            From = day,
            To = day,
            RankBy = CostMeasure.Effective,
            Filters = [new CostFilter(new CostGrouping(CostDimension.Service), [incident.Service]), new CostFilter(new CostGrouping(CostDimension.BillingAccount), [incident.BillingAccountId])],
        }, CostScope.Everything)).Lines.Sum(l => l.EffectiveCost);
        Assert.Equal(decimal.Round(ownTotal, 2, MidpointRounding.AwayFromZero), spike.Anomaly.ActualCost);
        Assert.Equal(CostDimensions.Region, spike.Anomaly.RootCauses[0].Dimension);

        // The other accounts' S3 cost did not spike; nothing of the owner's rows reaches them.
        Assert.DoesNotContain(restView.Anomalies, a => a.Anomaly.Service == incident.Service && a.Impact > spike.Impact / 2);
        Assert.All(restView.Anomalies, a => Assert.True(a.Anomaly.Account is null || others.Contains(a.Anomaly.Account)));
        Assert.All(ownerView, a => Assert.True(a.Anomaly.ActualCost < ownTotal + 1));
    }

    [Fact]
    public async Task Marking_a_spike_expected_suppresses_the_similar_days_after_it_and_real_does_not()
    {
        var incident = demo.Incidents.Single(i => i.Id == "INC-02");
        var folder = RepoPaths.NewTempDir("dwcp-feedback");
        var service = demo.Service(folder);
        var report = await service.DetectAnomaliesAsync(new AnomalyRequest { From = incident.StartDate, To = incident.EndDate, Services = [incident.Service] }, CostScope.Everything);
        var spikes = report.Anomalies.Where(a => a.Anomaly.Account is null && a.Anomaly.DeviationPercentage > 50).OrderBy(a => a.Anomaly.Timestamp).ToList();
        Assert.True(spikes.Count >= 2, $"expected the incident's days to be flagged; got {spikes.Count}");
        var first = spikes[0];

        var verdict = await service.MarkAsync(first.Id, FeedbackKind.Expected, "load test", CostScope.Everything);
        Assert.Equal(DateOnly.FromDateTime(first.Anomaly.Timestamp), verdict.Day);
        Assert.True(File.Exists(Path.Combine(folder, AnomalyFeedbackFile.FileName)));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));

        // A fresh service reads the verdict back from the file: the marked day and the similar later ones are suppressed.
        var after = await demo.Service(folder).DetectAnomaliesAsync(new AnomalyRequest { From = incident.StartDate, To = incident.EndDate, Services = [incident.Service], IncludeSuppressed = true }, CostScope.Everything);
        foreach (var spike in spikes)
        {
            var again = after.Anomalies.Single(a => a.Id == spike.Id);
            var ratio = Math.Max(spike.Anomaly.DeviationPercentage, first.Anomaly.DeviationPercentage) / Math.Min(spike.Anomaly.DeviationPercentage, first.Anomaly.DeviationPercentage);
            Assert.Equal(ratio <= 2, again.Anomaly.Suppressed);
            Assert.Equal(ratio <= 2 ? 0 : spike.Anomaly.Score * 0.5, again.Anomaly.Score, 12);
        }

        var hidden = await demo.Service(folder).DetectAnomaliesAsync(new AnomalyRequest { From = incident.StartDate, To = incident.EndDate, Services = [incident.Service] }, CostScope.Everything);
        Assert.DoesNotContain(hidden.Anomalies, a => a.Id == first.Id);

        // "Real" on a later day overrides: that day and later are reported again.
        await service.MarkAsync(spikes[1].Id, FeedbackKind.Real, null, CostScope.Everything);
        var real = await demo.Service(folder).DetectAnomaliesAsync(new AnomalyRequest { From = incident.StartDate, To = incident.EndDate, Services = [incident.Service] }, CostScope.Everything);
        Assert.Contains(real.Anomalies, a => a.Id == spikes[1].Id && !a.Anomaly.Suppressed);
        Assert.Equal(2, (await new AnomalyFeedbackFile(folder).ReadAsync()).Count);
    }

    [Fact]
    public async Task Marking_an_id_outside_the_scope_is_refused()
    {
        var incident = demo.Incidents.Single(i => i.Id == "INC-01");
        var report = await AroundAsync(incident, CostScope.Everything);
        var anomaly = OnIncident(report, incident).First(a => a.Anomaly.Account == incident.BillingAccountId);
        var folder = RepoPaths.NewTempDir("dwcp-feedback");
        var stranger = new CostScope { BillingAccounts = new HashSet<string> { "000000000000" } };
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => demo.Service(folder).MarkAsync(anomaly.Id, FeedbackKind.Planned, null, stranger));
        Assert.Contains("is visible to you", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, AnomalyFeedbackFile.FileName)));
        await Assert.ThrowsAsync<CostQueryException>(() => demo.Service(folder).MarkAsync("nonsense", FeedbackKind.Planned, null, CostScope.Everything));
    }

    [Fact]
    public async Task New_anomalies_are_published_once()
    {
        var incident = demo.Incidents.Single(i => i.Id == "INC-05");
        var feed = new AnomalyFeed();
        var seen = new List<string>();
        using var subscription = feed.Subscribe(batch => seen.AddRange(batch.Select(a => a.Id)));
        var service = demo.Service(feed: feed);

        // A plain query (the page, the CLI, detectAnomalies) never publishes; only a detection that asks for it (the
        // server's monitor) does, and each id only once.
        var looked = await AroundAsync(incident, CostScope.Everything, service);
        Assert.NotEmpty(looked.Anomalies);
        Assert.Empty(seen);
        var first = await AroundAsync(incident, CostScope.Everything, service, publish: true);
        await AroundAsync(incident, CostScope.Everything, service, publish: true);
        Assert.Equal(first.Anomalies.Select(a => a.Id).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }
}
