using System.Globalization;
using System.Text;

namespace Dwcp.Bench.Store;

/// <summary>The markdown result table.</summary>
internal static class Report
{
    public static string Write(int rows, int asked, double factor, int runs, List<(string Backend, double Seconds)> loads, List<Measured> results, List<string> notes)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Benchmark: store (DuckDB vs ClickHouse, raw rows vs daily rollup)").AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; ClickHouse single node started by the benchmark");
        var scaled = factor < 1 ? FormattableString.Invariant($", scaled down from {asked:N0} by {factor:N3} for disk space") : "";
        sb.AppendLine(CultureInfo.InvariantCulture, $"- input: {rows:N0} generated FOCUS 1.2 rows (bench/Dwcp.Bench/BenchData.cs, seed 42, 90 days, 8 services, 3 accounts){scaled}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- each query: 1 warm-up, then {runs} timed runs (p50/p95 nearest rank), through the store contract (ICostStore.AggregateAsync)").AppendLine();

        sb.AppendLine("## Load").AppendLine();
        sb.AppendLine("| backend | seconds | rows/s | ratio to DuckDB |").AppendLine("|---|---:|---:|---:|");
        var duckLoad = loads.FirstOrDefault(l => l.Backend == "DuckDB").Seconds;
        foreach (var (backend, seconds) in loads)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {backend} (full import: read, validate, load, commit) | {seconds:N1} | {rows / seconds:N0} | {(duckLoad > 0 ? duckLoad / seconds : 0):N2} |");
        }

        sb.AppendLine().AppendLine("## Queries").AppendLine();
        sb.AppendLine("| backend | query | path | lines | p50 ms | p95 ms | p95 raw / this | p95 < 50 ms |").AppendLine("|---|---|---|---:|---:|---:|---:|---|");
        foreach (var m in results)
        {
            var raw = results.FirstOrDefault(r => r.Backend == m.Backend && r.Query == m.Query && r.Path == "raw");
            var ratio = raw is null ? "-" : (raw.P95Ms / m.P95Ms).ToString("N1", CultureInfo.InvariantCulture) + "x";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {m.Backend} | {m.Query} | {m.Path} | {m.Lines} | {m.P50Ms:N1} | {m.P95Ms:N1} | {ratio} | {(m.P95Ms < 50 ? "yes" : "no")} |");
        }

        sb.AppendLine().AppendLine("## Across backends (p95, DuckDB / ClickHouse)").AppendLine();
        sb.AppendLine("| query | path | DuckDB p95 ms | ClickHouse p95 ms | DuckDB / ClickHouse |").AppendLine("|---|---|---:|---:|---:|");
        foreach (var d in results.Where(r => r.Backend == "DuckDB"))
        {
            if (results.FirstOrDefault(r => r.Backend == "ClickHouse" && r.Query == d.Query && r.Path == d.Path) is { } c)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {d.Query} | {d.Path} | {d.P95Ms:N1} | {c.P95Ms:N1} | {d.P95Ms / c.P95Ms:N2} |");
            }
        }

        var rollups = results.Where(r => r.Path == "rollup").ToList();
        sb.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Goal: every dashboard query p95 < 50 ms from rollups. Rollup-answerable queries under 50 ms: {rollups.Count(r => r.P95Ms < 50)} of {rollups.Count}. Tag queries on one key read the tag rollup (cost_tag_daily), with the untagged group computed as the summary minus the tagged rows.");
        foreach (var n in notes)
        {
            sb.AppendLine().AppendLine(n);
        }

        return sb.ToString();
    }
}

/// <summary>The repository root (the folder holding Dwcp.slnx).</summary>
internal static class Repo
{
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Dwcp.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository (no Dwcp.slnx above " + AppContext.BaseDirectory + ").");
    }
}
