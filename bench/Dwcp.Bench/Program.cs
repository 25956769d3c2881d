using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dwcp.Bench;
using Dwcp.Cost.Ingestion;
using Dwcp.Storage.DuckDb;
using DuckDB.NET.Data;

// Usage: dotnet Dwcp.Bench.dll ingest [--rows N]     (runs each phase in a child process to measure its own peak RSS)
//        dotnet Dwcp.Bench.dll phase ours|duckdb FILE DIR
if (args.Length >= 4 && args[0] == "phase")
{
    return RunPhase(args[1], args[2], args[3]);
}

if (args.Length == 3 && args[0] == "generate")
{
    BenchData.Write(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), seed: 1);
    return 0;
}

if (args.Length > 0 && FormatsBench.Handles(args[0]))
{
    return FormatsBench.Run(args); // ingest-formats, cur-memory (FormatsBench.cs)
}

var name = args.Length > 0 ? args[0] : "ingest";
var rows = args.SkipWhile(a => a != "--rows").Skip(1).Select(int.Parse).FirstOrDefault(1_000_000);
if (name != "ingest" && name != "ingest-memory")
{
    Console.Error.WriteLine("Benchmarks: ingest [--rows N] (FOCUS import vs DuckDB read_csv), ingest-memory [--rows N] (peak RSS of our import).");
    return 2;
}

var work = Path.Combine(Path.GetTempPath(), "dwcp-bench-" + Environment.ProcessId);
Directory.CreateDirectory(work);
try
{
    var file = Path.Combine(work, $"focus-{rows}.csv");
    var sw = Stopwatch.StartNew();
    BenchData.Write(file, rows, seed: 1);
    var size = new FileInfo(file).Length;
    Console.WriteLine($"Generated {rows:N0} rows, {size / 1e6:N0} MB in {sw.Elapsed.TotalSeconds:N1} s: {file}");

    var phases = name == "ingest" ? new[] { "duckdb", "ours", "compact", "duckdb", "ours", "compact" } : ["reader", "ours", "compact"];
    var results = new List<(string Phase, double Seconds, long PeakRssKb, long Rows, long Bytes)>();
    foreach (var phase in phases)
    {
        var dir = Path.Combine(work, phase + results.Count);
        var psi = new ProcessStartInfo("dotnet", [typeof(BenchData).Assembly.Location, "phase", phase, file, dir]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var parts = output.Trim().Split(' ');
        var bytes = Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*.duckdb*").Sum(f => f.Length) : 0;
        results.Add((phase, double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture), bytes));
        Console.WriteLine($"  {phase,-7} {results[^1].Seconds,8:N2} s  {results[^1].Rows / results[^1].Seconds,12:N0} rows/s  peak RSS {results[^1].PeakRssKb / 1024,6:N0} MB  file {bytes / 1e6,6:N0} MB");
        Directory.Delete(dir, true);
    }

    // Best of the runs of each phase (the machine is shared and noisy).
    var ours = results.Where(r => r.Phase == "ours").MinBy(r => r.Seconds);
    var compact = results.Where(r => r.Phase == "compact").MinBy(r => r.Seconds);
    var table = new StringBuilder();
    table.AppendLine($"# Benchmark: {name}");
    table.AppendLine();
    table.AppendLine($"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    table.AppendLine($"- machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, DuckDB.NET 1.5.6.1");
    table.AppendLine($"- input: generated FOCUS 1.2 CSV, {rows:N0} rows x 59 columns, {size / 1e6:N0} MB");
    table.AppendLine($"- each phase ran in its own process; best of {phases.Count(p => p == "ours")} runs");
    table.AppendLine();
    table.AppendLine("| phase | seconds | rows/s | peak RSS (MB) | database file (MB) | ratio to baseline |");
    table.AppendLine("|---|---:|---:|---:|---:|---:|");
    if (name == "ingest")
    {
        var baseline = results.Where(r => r.Phase == "duckdb").MinBy(r => r.Seconds);
        table.AppendLine($"| DuckDB read_csv into a table (baseline) | {baseline.Seconds:N2} | {baseline.Rows / baseline.Seconds:N0} | {baseline.PeakRssKb / 1024:N0} | {baseline.Bytes / 1e6:N0} | 1.00 |");
        table.AppendLine($"| dwcp import (full validation, versioned load; default string_compression: fast) | {ours.Seconds:N2} | {ours.Rows / ours.Seconds:N0} | {ours.PeakRssKb / 1024:N0} | {ours.Bytes / 1e6:N0} | {baseline.Seconds / ours.Seconds:N2} |");
        table.AppendLine($"| dwcp import with string_compression: compact (FSST, DuckDB's default) | {compact.Seconds:N2} | {compact.Rows / compact.Seconds:N0} | {compact.PeakRssKb / 1024:N0} | {compact.Bytes / 1e6:N0} | {baseline.Seconds / compact.Seconds:N2} |");
        table.AppendLine();
        table.AppendLine($"Goal: at least 0.5x the baseline's speed. Reached: {baseline.Seconds / ours.Seconds:N2}x with the default settings ({baseline.Seconds / compact.Seconds:N2}x with compact strings).");
    }
    else
    {
        var reader = results.Single(r => r.Phase == "reader");
        table.AppendLine($"| FOCUS reader alone (parse, type, validate, normalise; rows discarded) | {reader.Seconds:N2} | {reader.Rows / reader.Seconds:N0} | {reader.PeakRssKb / 1024:N0} | - | - |");
        table.AppendLine($"| dwcp import (reader + DuckDB store, versioned load; default settings) | {ours.Seconds:N2} | {ours.Rows / ours.Seconds:N0} | {ours.PeakRssKb / 1024:N0} | {ours.Bytes / 1e6:N0} | - |");
        table.AppendLine($"| dwcp import with string_compression: compact | {compact.Seconds:N2} | {compact.Rows / compact.Seconds:N0} | {compact.PeakRssKb / 1024:N0} | {compact.Bytes / 1e6:N0} | - |");
        table.AppendLine();
        table.AppendLine($"Goal: peak RSS under 500 MB. Reached: reader {reader.PeakRssKb / 1024:N0} MB; whole import {ours.PeakRssKb / 1024:N0} MB (compact strings {compact.PeakRssKb / 1024:N0} MB).");
    }

    var outDir = Path.Combine(FindRoot(), "bench", "results");
    Directory.CreateDirectory(outDir);
    var outFile = Path.Combine(outDir, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmm}.md");
    File.WriteAllText(outFile, table.ToString());
    Console.WriteLine();
    Console.WriteLine(table);
    Console.WriteLine($"Written to {outFile}");
    return 0;
}
finally
{
    Directory.Delete(work, true);
}

static int RunPhase(string phase, string file, string dir)
{
    Directory.CreateDirectory(dir);
    var sw = Stopwatch.StartNew();
    long rows;
    if (phase == "reader")
    {
        using var reader = Dwcp.Ingest.FocusFileReader.Open(file);
        rows = 0;
        decimal billed = 0;
        foreach (var row in reader.ReadRows())
        {
            billed += row.BilledCost ?? 0m;
            rows++;
        }

        if (reader.Report.ErrorCount > 0)
        {
            Console.Error.WriteLine($"{reader.Report.ErrorCount} errors");
            return 1;
        }
    }
    else if (phase == "duckdb")
    {
        using var c = new DuckDBConnection($"Data Source={Path.Combine(dir, "baseline.duckdb")}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"CREATE TABLE t AS SELECT * FROM read_csv('{file.Replace("'", "''", StringComparison.Ordinal)}', header = true); SELECT count(*) FROM t;";
        rows = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
    else
    {
        // BENCH_LOAD_MEMORY_LIMIT overrides the load-time buffer pool (to explore the memory/speed trade-off).
        var options = new DuckDbStoreOptions { StringCompression = phase == "compact" ? StringCompression.Compact : StringCompression.Fast };
        if (Environment.GetEnvironmentVariable("BENCH_LOAD_MEMORY_LIMIT") is { Length: > 0 } limit)
        {
            options = options with { LoadMemoryLimit = limit };
        }

        var store = DuckDbCostStore.Open(dir, options: options);
        ImportResult result;
        try
        {
            result = new BillingImporter(store).ImportAsync([file], new ImportOptions { RejectedDir = dir }).GetAwaiter().GetResult();
        }
        finally
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        if (!result.Committed)
        {
            Console.Error.WriteLine(result.Message);
            return 1;
        }

        rows = result.Load!.RowCount;
    }

    var seconds = sw.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seconds} {PeakRssKb()} {rows}"));
    return 0;
}

static long PeakRssKb()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

static string FindRoot()
{
    var d = new DirectoryInfo(AppContext.BaseDirectory);
    while (d is not null && !File.Exists(Path.Combine(d.FullName, "global.json")))
    {
        d = d.Parent;
    }

    return d?.FullName ?? Environment.CurrentDirectory;
}
