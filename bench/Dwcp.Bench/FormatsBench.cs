using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dwcp.Ingest.Native;

namespace Dwcp.Bench;

/// <summary>
/// <c>ingest-formats [--rows N]</c>: the same number of rows as FOCUS (the baseline) and as each native format we can
/// generate cheaply, each imported in its own process; rows/s and the ratio to the FOCUS import of the same run.
/// <c>cur-memory [--size-mb N]</c>: a generated legacy CUR CSV of 1 GiB converted and loaded; peak RSS (goal under 1 GB).
/// </summary>
internal static class FormatsBench
{
    private const long GiB = 1L << 30;

    public static bool Handles(string mode) => mode is "ingest-formats" or "cur-memory" or "native-reader";

    public static int Run(string[] args)
    {
        if (args[0] == "native-reader")
        {
            return ReaderPhase(args[1]);
        }

        var root = FindRoot();
        var work = Path.Combine(Path.GetTempPath(), "dwcp-bench-formats-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        try
        {
            return args[0] == "cur-memory" ? CurMemory(args, root, work) : IngestFormats(args, root, work);
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    private static int IngestFormats(string[] args, string root, string work)
    {
        var rows = (int)Option(args, "--rows", 200_000);
        var formats = new (string Name, string File, Action<string> Write)[]
        {
            ("FOCUS 1.2 CSV (baseline)", "focus.csv", p => BenchData.Write(p, rows, seed: 1)),
            ("AWS legacy CUR, CSV", "cur.csv", p => new CurSampleGenerator(1).WriteFile(p, rows)),
            ("AWS legacy CUR, CSV.gz", "cur.csv.gz", p => new CurSampleGenerator(1).WriteFile(p, rows)),
            ("Azure EA cost details, CSV", "azure-ea.csv", p => FormatsData.WriteAzureEa(root, p, rows, seed: 1)),
            ("GCP billing export, CSV", "gcp.csv", p => FormatsData.WriteGcpCsv(root, p, rows, seed: 1)),
            ("GCP billing export, NDJSON", "gcp.jsonl", p => FormatsData.WriteGcpJsonl(root, p, rows, seed: 1)),
        };
        var results = new List<(string Name, long Bytes, Phase Best)>();
        foreach (var (name, fileName, write) in formats)
        {
            var file = Path.Combine(work, fileName);
            write(file);
            var bytes = new FileInfo(file).Length;
            var runs = new List<Phase>();
            for (var i = 0; i < 2; i++)
            {
                var p = RunPhase(["phase", "ours", file, Path.Combine(work, $"db-{fileName}-{i}")]);
                if (p.Rows != rows)
                {
                    Console.Error.WriteLine($"{name}: loaded {p.Rows:N0} rows, expected {rows:N0}.");
                    return 1;
                }

                runs.Add(p);
            }

            var best = runs.MinBy(r => r.Seconds)!;
            results.Add((name, bytes, best));
            Console.WriteLine($"  {name,-30} {bytes / 1e6,8:N1} MB {best.Seconds,8:N2} s {best.Rows / best.Seconds,10:N0} rows/s  peak RSS {best.PeakRssKb / 1024,5:N0} MB");
            File.Delete(file);
        }

        var focus = results[0].Best;
        var baseline = focus.Rows / focus.Seconds;
        var table = Header("ingest-formats", $"{rows:N0} rows per format, generated (FOCUS: BenchData; AWS CUR: CurSampleGenerator; Azure EA and GCP: the fixtures in data/samples/native cycled with varied days and costs)");
        table.AppendLine("- each format imported by `dwcp`'s importer (header detection, conversion to FOCUS, validation, versioned DuckDB load) in its own process; best of 2 runs");
        table.AppendLine();
        table.AppendLine("| format | file (MB) | seconds | rows/s | peak RSS (MB) | ratio to FOCUS |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, bytes, p) in results)
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {bytes / 1e6:N1} | {p.Seconds:N2} | {p.Rows / p.Seconds:N0} | {p.PeakRssKb / 1024:N0} | {p.Rows / p.Seconds / baseline:N2} |"));
        }

        return Write(root, "ingest-formats", table);
    }

    private static int CurMemory(string[] args, string root, string work)
    {
        var target = Option(args, "--size-mb", 1024) * (1L << 20);
        var free = new DriveInfo(work).AvailableFreeSpace;
        if (free < target * 3)
        {
            Console.Error.WriteLine($"{work}: {free / 1e9:N1} GB free; the run needs about {target * 3 / 1e9:N1} GB (the CSV and the database). Free some space or pass --size-mb.");
            return 1;
        }

        using (var probe = new StringWriter(CultureInfo.InvariantCulture))
        {
            new CurSampleGenerator(1).Write(probe, 20_000);
            var perRow = Encoding.UTF8.GetByteCount(probe.ToString()) / 20_000.0;
            var rows = (long)Math.Ceiling(target / perRow);
            var file = Path.Combine(work, "cur-1gb.csv");
            var sw = Stopwatch.StartNew();
            new CurSampleGenerator(1).WriteFile(file, rows);
            var bytes = new FileInfo(file).Length;
            Console.WriteLine($"Generated {rows:N0} rows, {bytes / 1e6:N0} MB in {sw.Elapsed.TotalSeconds:N1} s: {file}");
            var reader = RunPhase(["native-reader", file]);
            Console.WriteLine($"  reader  {reader.Seconds,8:N2} s  peak RSS {reader.PeakRssKb / 1024,6:N0} MB");
            var import = RunPhase(["phase", "ours", file, Path.Combine(work, "db")]);
            Console.WriteLine($"  import  {import.Seconds,8:N2} s  peak RSS {import.PeakRssKb / 1024,6:N0} MB");
            if (reader.Rows != rows || import.Rows != rows)
            {
                Console.Error.WriteLine($"Row counts differ: generated {rows:N0}, read {reader.Rows:N0}, loaded {import.Rows:N0}.");
                return 1;
            }

            var table = Header("cur-memory", string.Create(CultureInfo.InvariantCulture, $"generated AWS legacy CUR CSV (CurSampleGenerator, 45 columns), {rows:N0} rows, {bytes / 1e6:N0} MB ({bytes / (double)GiB:N2} GiB)"));
            table.AppendLine("- each phase ran in its own process; peak RSS is the process's VmHWM");
            table.AppendLine();
            table.AppendLine("| phase | seconds | rows/s | peak RSS (MB) |");
            table.AppendLine("|---|---:|---:|---:|");
            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| native reader alone (detect, parse, convert to FOCUS, validate; rows discarded) | {reader.Seconds:N2} | {reader.Rows / reader.Seconds:N0} | {reader.PeakRssKb / 1024:N0} |"));
            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| dwcp import (reader + DuckDB store, versioned load) | {import.Seconds:N2} | {import.Rows / import.Seconds:N0} | {import.PeakRssKb / 1024:N0} |"));
            table.AppendLine();
            var ok = import.PeakRssKb * 1024L < 1_000_000_000;
            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Goal: peak RSS under 1 GB for the whole import. {(ok ? "Reached" : "Missed")}: {import.PeakRssKb / 1024:N0} MB (reader alone {reader.PeakRssKb / 1024:N0} MB)."));
            return Write(root, "cur-memory", table);
        }
    }

    private static int ReaderPhase(string file)
    {
        var sw = Stopwatch.StartNew();
        long rows = 0;
        decimal billed = 0;
        using (var reader = BillingFileReader.Open(file, new BillingReaderOptions()))
        {
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

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{sw.Elapsed.TotalSeconds} {PeakRssKb()} {rows}"));
        return 0;
    }

    private sealed record Phase(double Seconds, long PeakRssKb, long Rows);

    private static Phase RunPhase(string[] phaseArgs)
    {
        var psi = new ProcessStartInfo("dotnet", [typeof(BenchData).Assembly.Location, .. phaseArgs]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var parts = output.Trim().Split(' ');
        if (p.ExitCode != 0 || parts.Length != 3)
        {
            throw new InvalidOperationException($"Phase {string.Join(' ', phaseArgs)} failed (exit {p.ExitCode}): {output}");
        }

        return new Phase(double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private static StringBuilder Header(string name, string input)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark: {name}");
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        table.AppendLine(CultureInfo.InvariantCulture, $"- machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, DuckDB.NET 1.5.6.1 (shared machine: other work ran at the same time)");
        table.AppendLine(CultureInfo.InvariantCulture, $"- input: {input}");
        return table;
    }

    private static int Write(string root, string name, StringBuilder table)
    {
        var outDir = Path.Combine(root, "bench", "results");
        Directory.CreateDirectory(outDir);
        var outFile = Path.Combine(outDir, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmm}.md");
        File.WriteAllText(outFile, table.ToString());
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine($"Written to {outFile}");
        return 0;
    }

    private static long Option(string[] args, string name, long fallback) =>
        args.SkipWhile(a => a != name).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);

    private static long PeakRssKb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "global.json")))
        {
            d = d.Parent;
        }

        return d?.FullName ?? Environment.CurrentDirectory;
    }
}
