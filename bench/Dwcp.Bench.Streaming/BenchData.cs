using System.Collections.Immutable;
using Dwcp.Streaming;

namespace Dwcp.Bench.Streaming;

/// <summary>Deterministic benchmark events: 10,000 resources, 10 metrics per event, 2% re-sent ids, ±2 s disorder.</summary>
public static class BenchData
{
    public const int Resources = 10_000;
    public const int MetricsPerEvent = 10;
    private static readonly string[] Providers = ["aws", "azure", "gcp"];
    private static readonly string[] MetricNames = [.. Enumerable.Range(0, MetricsPerEvent).Select(i => "metric_" + i)];

    public static StreamingConfig EngineConfig(int parallelism) => new()
    {
        // defaults: 1, 5 and 15 minute windows; group by provider, region, service, account; 30 s lateness; 2 min dedup retention
        BufferSize = 200_000,
        ParallelismFactor = parallelism,
        ClosedWindowHistory = 1_000,
    };

    /// <summary>Events over <paramref name="eventTimeSpan"/> of event time, ending one hour before <paramref name="now"/>.</summary>
    public static StreamEvent[] Generate(int count, DateTimeOffset now, TimeSpan eventTimeSpan, int seed = 42, string idPrefix = "ev", DateTimeOffset? from = null)
    {
        var random = new Random(seed);
        var start = from ?? now - TimeSpan.FromHours(1) - eventTimeSpan;
        var resources = Enumerable.Range(0, Resources).Select(r => (
            Id: $"res-{r:D5}",
            Provider: Providers[r % 3],
            Region: $"region-{(r / 3) % 4}",
            Service: $"service-{(r / 12) % 10}",
            Account: $"account-{(r / 120) % 20}")).ToArray();
        var events = new StreamEvent[count];
        for (var i = 0; i < count; i++)
        {
            if (i > 100 && random.NextDouble() < 0.02)
            {
                events[i] = events[i - 1 - random.Next(100)]; // re-sent: same id, counted once
                continue;
            }

            var r = resources[random.Next(Resources)];
            var metrics = new MetricValue[MetricsPerEvent];
            for (var m = 0; m < MetricsPerEvent; m++)
            {
                metrics[m] = new MetricValue(MetricNames[m], Math.Round(Math.Exp((random.NextDouble() * 4) + m), 3));
            }

            var jitter = from is null ? TimeSpan.FromSeconds((random.NextDouble() - 0.5) * 4) : TimeSpan.Zero;
            events[i] = new StreamEvent
            {
                EventId = $"{idPrefix}-{i}",
                Timestamp = start + (eventTimeSpan * ((double)i / count)) + jitter,
                EventType = "usage",
                Metrics = ImmutableArray.Create(metrics),
                ResourceId = r.Id,
                Provider = r.Provider,
                Region = r.Region,
                Service = r.Service,
                Account = r.Account,
            };
        }

        return events;
    }
}
