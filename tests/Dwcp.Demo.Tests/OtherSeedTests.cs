namespace Dwcp.Demo.Tests;

/// <summary>The incident and tagging guarantees are built in, not luck of seed 42.</summary>
public sealed class OtherSeedTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2024)]
    public void Incidents_stay_clearly_visible_and_tags_stay_in_range_for_other_seeds(int seed)
    {
        var generator = new DemoDataGenerator(new DemoOptions { Seed = seed });
        var services = generator.Incidents.Select(i => (i.ProviderName, i.Service)).ToHashSet();
        var daily = new Dictionary<(string, string, DateOnly), decimal>();
        var untagged = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var row in generator.GenerateRows())
        {
            if (row.ResourceId is not null)
            {
                untagged[row.ResourceId] = row.Tags is null;
            }

            if (services.Contains((row.ProviderName!, row.ServiceName!)) && row.ChargePeriodEnd - row.ChargePeriodStart == TimeSpan.FromDays(1))
            {
                var key = (row.ProviderName!, row.ServiceName!, DateOnly.FromDateTime(row.ChargePeriodStart!.Value));
                daily[key] = daily.GetValueOrDefault(key) + row.EffectiveCost!.Value;
            }
        }

        Assert.InRange(generator.Incidents.Count, 3, 6);
        foreach (var incident in generator.Incidents)
        {
            decimal Cost(DateOnly day) => daily.GetValueOrDefault((incident.ProviderName, incident.Service, day));
            var before = Enumerable.Range(1, 28).Select(d => Cost(incident.StartDate.AddDays(-d))).Order().ToArray();
            var median = (before[13] + before[14]) / 2;
            var peak = Enumerable.Range(0, incident.Days).Max(d => Cost(incident.StartDate.AddDays(d)));
            Assert.True(peak >= 1.5m * median, $"seed {seed} {incident.Id}: peak {peak:N2} vs median {median:N2}");
        }

        Assert.InRange(untagged.Values.Count(u => u) / (double)untagged.Count, 0.05, 0.25);
    }
}
