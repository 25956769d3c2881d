using Dwcp.Streaming;

namespace Dwcp.Bench.Streaming;

/// <summary>The naive baseline: LINQ over all events in memory, computing the engine's aggregates exactly.</summary>
public static class NaiveBaseline
{
    public sealed record Row(TimeSpan Size, DateTimeOffset Start, string Series, string Metric, long Count, double Sum, double Min, double Max,
        double Average, double Last, double P50, double P95, double P99);

    public static List<Row> Compute(IReadOnlyList<StreamEvent> events, IReadOnlyList<TimeSpan> sizes)
    {
        var unique = events.DistinctBy(e => e.EventId).ToList();
        var rows = new List<Row>();
        foreach (var size in sizes)
        {
            rows.AddRange(unique
                .SelectMany(e => e.Metrics.Select(m => (
                    Start: DateTimeOffset.UnixEpoch + TimeSpan.FromTicks((e.Timestamp - DateTimeOffset.UnixEpoch).Ticks / size.Ticks * size.Ticks),
                    Series: $"{e.EventType}|{e.Provider}|{e.Region}|{e.Service}|{e.Account}",
                    Metric: m.Name,
                    e.Timestamp,
                    m.Value)))
                .GroupBy(x => (x.Start, x.Series, x.Metric))
                .Select(g =>
                {
                    var sorted = g.Select(x => x.Value).Order().ToArray();
                    double Q(double q) => sorted[(int)Math.Floor(q * (sorted.Length - 1))];
                    return new Row(size, g.Key.Start, g.Key.Series, g.Key.Metric, sorted.Length, g.Sum(x => x.Value), sorted[0], sorted[^1],
                        g.Average(x => x.Value), g.MaxBy(x => x.Timestamp).Value, Q(0.5), Q(0.95), Q(0.99));
                }));
        }

        return rows;
    }
}
