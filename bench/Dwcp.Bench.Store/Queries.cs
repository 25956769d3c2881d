using System.Diagnostics;
using Dwcp.Core.Costs;
using Dwcp.Storage;

namespace Dwcp.Bench.Store;

/// <summary>One query shape timed on one backend and path.</summary>
internal sealed record Measured(string Backend, string Query, string Path, double P50Ms, double P95Ms, int Lines);

/// <summary>The dashboard's query set over the generated quarter (2024-01-01 … 2024-03-30).</summary>
internal static class Queries
{
    public static readonly DateOnly From = new(2024, 1, 1);
    public static readonly DateOnly To = new(2024, 3, 30);

    private static readonly CostGrouping Service = new(CostDimension.Service);

    /// <summary>(name, spec): what the dashboard asks.</summary>
    public static IReadOnlyList<(string Name, CostAggregation Spec)> Set { get; } =
    [
        ("total", new CostAggregation { From = From, To = To }),
        ("by-service daily series", new CostAggregation { From = From, To = To, GroupBy = [Service], Grain = CostGrain.Day }),
        ("top-10 services", new CostAggregation { From = From, To = To, GroupBy = [Service], Limit = 10 }),
        ("provider filter, by region monthly", new CostAggregation
        {
            From = From, To = To, GroupBy = [new CostGrouping(CostDimension.Region)], Grain = CostGrain.Month,
            Filters = [new CostFilter(new CostGrouping(CostDimension.Provider), ["AWS"])],
        }),
        ("tag group-by (Department)", new CostAggregation { From = From, To = To, GroupBy = [CostGrouping.ForTag("Department")] }),
        ("tag filter (Project p7), by service monthly", new CostAggregation
        {
            From = From, To = To, GroupBy = [Service], Grain = CostGrain.Month,
            Filters = [new CostFilter(CostGrouping.ForTag("Project"), ["p7"])],
        }),
    ];

    /// <summary>Runs every query over the raw rows and (where it can answer) the rollup, plus the guide's sampled percentiles.</summary>
    public static async Task<List<Measured>> RunAsync(string backend, ICostStore store, int runs)
    {
        var list = new List<Measured>();
        foreach (var (name, spec) in Set)
        {
            list.Add(await TimeAsync(backend, name, "raw", store, spec with { Source = CostSource.Raw }, runs));
            if (spec.RollupCanAnswer)
            {
                list.Add(await TimeAsync(backend, name, "rollup", store, spec with { Source = CostSource.Rollup }, runs));
            }
        }

        var guide = new CostAggregation { From = From, To = To, Percentiles = true };
        list.Add(await TimeAsync(backend, "p95/p99 per-row cost, exact", "raw", store, guide, runs));
        list.Add(await TimeAsync(backend, "p95/p99 per-row cost, SAMPLE 0.1", "raw sample", store, guide with { Sample = 0.1 }, runs));
        return list;
    }

    private static async Task<Measured> TimeAsync(string backend, string name, string path, ICostStore store, CostAggregation spec, int runs)
    {
        var lines = (await store.AggregateAsync(spec)).Count; // warm-up, not timed
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await store.AggregateAsync(spec);
            times[i] = sw.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        var m = new Measured(backend, name, path, Percentile(times, 0.50), Percentile(times, 0.95), lines);
        Console.WriteLine($"{backend,-10} {path,-10} {name,-40} p50 {m.P50Ms,8:N1} ms  p95 {m.P95Ms,8:N1} ms");
        return m;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
