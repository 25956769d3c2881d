using System.Globalization;
using System.Text;

namespace Dwcp.Streaming.Kafka.Tests;

/// <summary>One generated usage event; its NDJSON line is built by hand, not by the code under test.</summary>
internal sealed record TestEvent(string Id, DateTimeOffset Time, string Provider, string Region, double Cost, double Cpu)
{
    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $$$"""{"event_id":"{{{Id}}}","timestamp":"{{{Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}}","event_type":"usage","provider":"{{{Provider}}}","region":"{{{Region}}}","service":"compute","account":"acct-1","metrics":{"cost":{{{Cost}}},"cpu":{{{Cpu}}}}}""");
}

/// <summary>Expected window aggregates of one metric, computed with LINQ straight from the events.</summary>
internal sealed record Expected(DateTimeOffset Start, string Provider, string Region, long Count, double Sum, double Min, double Max, double Last);

internal static class TestEvents
{
    private static readonly string[] Providers = ["aws", "azure", "gcp"];
    private static readonly string[] Regions = ["eu-west-1", "us-east-1"];

    /// <summary><paramref name="count"/> events with distinct times spread over <paramref name="span"/> from <paramref name="start"/>,
    /// in a seeded shuffled order; metric values are whole numbers so sums are exact in any order.</summary>
    public static List<TestEvent> Make(int count, DateTimeOffset start, TimeSpan span, int seed, string idPrefix = "e")
    {
        var random = new Random(seed);
        var step = span.Ticks / count;
        var events = Enumerable.Range(0, count).Select(i => new TestEvent(
            $"{idPrefix}-{i}", start.AddTicks(i * step), Providers[random.Next(Providers.Length)], Regions[random.Next(Regions.Length)],
            random.Next(1, 1000), random.Next(0, 101))).ToList();
        for (var i = events.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (events[i], events[j]) = (events[j], events[i]);
        }

        return events;
    }

    public static byte[] Ndjson(IEnumerable<TestEvent> events) => Encoding.UTF8.GetBytes(string.Concat(events.Select(e => e.Line() + "\n")));

    /// <summary>Per tumbling window of <paramref name="size"/> and series, the count, sum, min, max and last of a metric.</summary>
    public static List<Expected> Windows(IEnumerable<TestEvent> events, TimeSpan size, Func<TestEvent, double> metric) =>
        [.. events
            .GroupBy(e => (Start: new DateTimeOffset(e.Time.UtcTicks - (e.Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % size.Ticks, TimeSpan.Zero), e.Provider, e.Region))
            .Select(g => new Expected(g.Key.Start, g.Key.Provider, g.Key.Region, g.Count(), g.Sum(metric), g.Min(metric), g.Max(metric),
                metric(g.MaxBy(e => e.Time)!)))
            .OrderBy(x => x.Start).ThenBy(x => x.Provider, StringComparer.Ordinal).ThenBy(x => x.Region, StringComparer.Ordinal)];

    /// <summary>Minute-aligned time <paramref name="minutesAgo"/> minutes before now (events must not be in the future).</summary>
    public static DateTimeOffset MinutesAgo(int minutesAgo)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-minutesAgo);
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
    }
}
