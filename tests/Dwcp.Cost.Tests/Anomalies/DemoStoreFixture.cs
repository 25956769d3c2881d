using System.Text.Json;
using Dwcp.Cost.Anomalies;
using Dwcp.Demo;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests.Anomalies;

/// <summary>An incident as read back from <c>incidents.json</c>.</summary>
public sealed record RecordedIncident(string Id, DateOnly StartDate, DateOnly EndDate, string ProviderName, string Service, string BillingAccountId, string RootCauseDimension, string RootCauseValue);

/// <summary>
/// The seed-42 demo data set (13 months, about 250,000 rows) generated into a real DuckDB store in a temporary data
/// folder, with the generator's <c>incidents.json</c> beside it, shared by the tests of a class.
/// </summary>
public sealed class DemoStoreFixture : IAsyncLifetime
{
    public string DataDir { get; } = RepoPaths.NewTempDir("dwcp-anomalies");

    public DuckDbCostStore Store { get; private set; } = null!;

    public CostQueryService Costs { get; private set; } = null!;

    public IReadOnlyList<RecordedIncident> Incidents { get; private set; } = [];

    public DateOnly LastDay { get; private set; }

    public async Task InitializeAsync()
    {
        var generator = new DemoDataGenerator(new DemoOptions { Seed = 42 });
        Store = DuckDbCostStore.Open(DataDir);
        await using (var session = await Store.BeginLoadAsync(new LoadRequest("demo")))
        {
            long n = 0;
            foreach (var row in generator.GenerateRows())
            {
                session.Append(row);
                n++;
            }

            session.AddFile("demo", Guid.NewGuid().ToString("N"), n);
            await session.CommitAsync();
        }

        var path = Path.Combine(DataDir, "incidents.json");
        DemoDataGenerator.WriteIncidentsJson(path, generator.Incidents);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        Incidents = doc.RootElement.EnumerateArray().Select(e => new RecordedIncident(
            e.GetProperty("id").GetString()!,
            DateOnly.Parse(e.GetProperty("start_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            DateOnly.Parse(e.GetProperty("end_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            e.GetProperty("provider_name").GetString()!,
            e.GetProperty("service").GetString()!,
            e.GetProperty("billing_account_id").GetString()!,
            e.GetProperty("root_cause_dimension").GetString()!,
            e.GetProperty("root_cause_value").GetString()!)).ToList();
        Costs = new CostQueryService(Store);
        LastDay = generator.Options.To;
    }

    /// <summary>A service over the store with feedback in <paramref name="feedbackDir"/> (none when null).</summary>
    public CostAnomalyService Service(string? feedbackDir = null, IAnomalyFeed? feed = null) =>
        new(Store, Costs, feedbackDir is null ? null : new AnomalyFeedbackFile(feedbackDir), feed);

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary folder does no harm.
        }
    }
}
