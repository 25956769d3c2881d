using System.Collections.Immutable;

namespace Dwcp.Streaming.Tests;

/// <summary>Seeded event generator and a brute-force reference aggregator.</summary>
public static class TestData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    public static readonly string[] Providers = ["aws", "gcp", "azure"];
    public static readonly string[] Regions = ["eu-west-1", "us-east-1"];
    public static readonly string[] Services = ["compute", "storage", "db"];

    public static StreamEvent Event(string id, DateTimeOffset time, params (string Name, double Value)[] metrics) => new()
    {
        EventId = id,
        Timestamp = time,
        EventType = "usage",
        Metrics = [.. metrics.Select(m => new MetricValue(m.Name, m.Value))],
        Provider = "aws",
        Region = "eu-west-1",
        Service = "compute",
        Account = "acct-1",
        ResourceId = "r-1",
    };

    /// <summary>Events spread over <paramref name="span"/> from T0, roughly in time order (±20 s of disorder), with some
    /// re-sent ids (a copy of one of the last 50 events, so within the 2-minute duplicate retention) and missing metrics.</summary>
    public static List<StreamEvent> Generate(int seed, int count, TimeSpan span, double duplicateShare = 0.05, int resources = 20)
    {
        var random = new Random(seed);
        var events = new List<StreamEvent>(count);
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && random.NextDouble() < duplicateShare)
            {
                var original = events[Math.Max(0, events.Count - 1 - random.Next(50))];
                events.Add(new StreamEvent
                {
                    EventId = original.EventId,
                    Timestamp = original.Timestamp,
                    EventType = original.EventType,
                    Metrics = [new MetricValue("cost", 999_999)], // a duplicate with different content must still count once
                    Provider = original.Provider,
                });
                continue;
            }

            var resource = random.Next(resources);
            var metrics = ImmutableArray.CreateBuilder<MetricValue>();
            metrics.Add(new MetricValue("cost", Math.Round(Math.Exp(random.NextDouble() * 6 - 2), 6)));
            if (random.NextDouble() < 0.8)
            {
                metrics.Add(new MetricValue("cpu", random.NextDouble()));
            }

            metrics.Add(new MetricValue("bytes", -Math.Log(1 - random.NextDouble()) * 1e6));
            if (random.NextDouble() < 0.3)
            {
                metrics.Add(new MetricValue("credit", -random.NextDouble() * 10));
            }

            events.Add(new StreamEvent
            {
                EventId = $"e-{seed}-{i}",
                Timestamp = T0 + TimeSpan.FromTicks(Math.Clamp((long)((span.Ticks * (double)i / count) + ((random.NextDouble() - 0.5) * TimeSpan.FromSeconds(40).Ticks)), 0, span.Ticks - 1)),
                EventType = random.NextDouble() < 0.8 ? "usage" : "cost",
                Metrics = metrics.ToImmutable(),
                ResourceId = $"r-{resource}",
                Provider = Providers[resource % Providers.Length],
                Region = Regions[resource % Regions.Length],
                Service = Services[resource % Services.Length],
                Account = $"acct-{resource % 4}",
            });
        }

        return events;
    }

    /// <summary>The first event of every id (what the engine must count).</summary>
    public static List<StreamEvent> Unique(IEnumerable<StreamEvent> events)
    {
        var seen = new HashSet<string>();
        return [.. events.Where(e => seen.Add(e.EventId))];
    }

    public sealed record Expected(long Count, double Sum, double Min, double Max, double Last, double[] Sorted);

    /// <summary>Brute force: for each window of (size, slide) and series (type, provider, region, service, account), each metric's exact aggregates.</summary>
    public static Dictionary<(DateTimeOffset Start, string Series, string Metric), Expected> BruteForce(IEnumerable<StreamEvent> events, TimeSpan size, TimeSpan slide)
    {
        var cells = new Dictionary<(DateTimeOffset, string, string), List<(long Seq, DateTimeOffset Time, double Value)>>();
        long seq = 0;
        foreach (var e in events)
        {
            seq++;
            var epoch = e.Timestamp - DateTimeOffset.UnixEpoch;
            var lastStart = DateTimeOffset.UnixEpoch + TimeSpan.FromTicks(epoch.Ticks / slide.Ticks * slide.Ticks);
            for (var start = lastStart; start > e.Timestamp - size; start -= slide)
            {
                foreach (var m in e.Metrics)
                {
                    var key = (start, SeriesOf(e), m.Name);
                    if (!cells.TryGetValue(key, out var list))
                    {
                        cells[key] = list = [];
                    }

                    list.Add((seq, e.Timestamp, m.Value));
                }
            }
        }

        return cells.ToDictionary(kv => kv.Key, kv =>
        {
            var values = kv.Value;
            var last = values.OrderBy(v => v.Time).ThenBy(v => v.Seq).Last().Value;
            return new Expected(values.Count, values.Sum(v => v.Value), values.Min(v => v.Value), values.Max(v => v.Value), last,
                [.. values.Select(v => v.Value).Order()]);
        });
    }

    public static string SeriesOf(StreamEvent e) => $"{e.EventType}|{e.Provider}|{e.Region}|{e.Service}|{e.Account}";

    public static string SeriesOf(SeriesKey k) => $"{k.EventType}|{k.Provider}|{k.Region}|{k.Service}|{k.Account}";

    public static double ExactQuantile(double[] sorted, double q) => sorted[(int)Math.Floor(q * (sorted.Length - 1))];

    /// <summary>Asserts every engine result equals the brute force (and that both hold the same cells).</summary>
    public static void AssertMatches(Dictionary<(DateTimeOffset Start, string Series, string Metric), Expected> expected, IEnumerable<WindowResult> results, double alpha = 0.01)
    {
        var seen = 0;
        foreach (var result in results)
        {
            foreach (var m in result.Metrics)
            {
                Assert.True(expected.TryGetValue((result.Start, SeriesOf(result.Series), m.Metric), out var e),
                    $"engine has a cell the brute force lacks: {result.Start:O} {result.Series} {m.Metric}");
                seen++;
                Assert.Equal(e.Count, m.Count);
                Assert.Equal(e.Sum, m.Sum, Math.Max(1e-9, Math.Abs(e.Sum) * 1e-12));
                Assert.Equal(e.Min, m.Min);
                Assert.Equal(e.Max, m.Max);
                Assert.Equal(e.Last, m.Last);
                Assert.Equal(e.Sum / e.Count, m.Average, Math.Max(1e-9, Math.Abs(e.Sum / e.Count) * 1e-12));
                foreach (var (q, estimate) in new[] { (0.5, m.P50), (0.95, m.P95), (0.99, m.P99) })
                {
                    var exact = ExactQuantile(e.Sorted, q);
                    Assert.True(Math.Abs(estimate - exact) <= alpha * Math.Abs(exact) + 1e-12,
                        $"q{q}: estimate {estimate} vs exact {exact} (cell {result.Start:O} {result.Series} {m.Metric})");
                }
            }
        }

        Assert.Equal(expected.Count, seen);
    }
}
