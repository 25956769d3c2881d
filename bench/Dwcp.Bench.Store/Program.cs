// Store benchmark: load N generated FOCUS rows (default 10,000,000) into DuckDB and into a single-node ClickHouse,
// then run the dashboard's query set N times each over the raw rows and over the daily rollup, and write load rows/s
// and p50/p95 latencies with ratios to bench/results/store-<date>.md. See bench/README.md.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dwcp.Bench;
using Dwcp.Bench.Store;
using Dwcp.Core.Costs;
using Dwcp.Cost.Ingestion;
using Dwcp.Storage;
using Dwcp.Storage.ClickHouse;
using Dwcp.Storage.DuckDb;

var rows = 10_000_000;
var runs = 20;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows" when i + 1 < args.Length:
            rows = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--runs" when i + 1 < args.Length:
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: bench.sh store [--rows N] [--runs N]");
            return 2;
    }
}

var root = Repo.Root();
var work = Path.Combine(Path.GetTempPath(), "dwcp-bench-store-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
Directory.CreateDirectory(work);

// Disk: the CSV (~660 B/row), the DuckDB file (~220 B/row) and ClickHouse's parts (~150 B/row), with 30% headroom.
const double BytesPerRow = (660 + 220 + 150) * 1.3;
var free = new DriveInfo(work).AvailableFreeSpace;
var asked = rows;
var factor = 1.0;
if (rows * BytesPerRow > free)
{
    factor = free / (rows * BytesPerRow);
    rows = (int)(rows * factor);
    Console.WriteLine($"Only {free / 1e9:N1} GB free under {work}: scaling {asked:N0} rows down by {factor:N3} to {rows:N0}.");
}

var notes = new List<string>();
var results = new List<Measured>();
var loads = new List<(string Backend, double Seconds)>();
string? chState = null;
int? chPid = null;
try
{
    var csv = Path.Combine(work, "focus.csv");
    var sw = Stopwatch.StartNew();
    BenchData.Write(csv, rows, seed: 42);
    Console.WriteLine($"generated {rows:N0} rows ({new FileInfo(csv).Length / 1e6:N0} MB) in {sw.Elapsed.TotalSeconds:N1} s");

    // DuckDB: the embedded default, a file in the work folder.
    await using (var duck = DuckDbCostStore.Open(Path.Combine(work, "duck")))
    {
        loads.Add(("DuckDB", await LoadAsync(duck, csv, work)));
        var build = Stopwatch.StartNew();
        await duck.TotalsAsync(Queries.From, Queries.To, []);
        notes.Add($"DuckDB: the first rollup read after the load built the daily rollup in {build.Elapsed.TotalSeconds:N1} s (once per load).");
        build.Restart();
        await duck.TotalsAsync(Queries.From, Queries.To, [new CostFilter(CostGrouping.ForTag("Department"), ["d1"])]);
        notes.Add($"DuckDB: the first tag query after the load built the tag rollup in {build.Elapsed.TotalSeconds:N1} s (once per load).");
        results.AddRange(await Queries.RunAsync("DuckDB", duck, runs));
    }

    // ClickHouse: one server started here on free ports, stopped at the end.
    chState = Path.Combine(work, "clickhouse");
    var http = FreePort();
    var tcp = FreePort();
    chPid = int.Parse((await Script(root, "start.sh", chState, http.ToString(CultureInfo.InvariantCulture), tcp.ToString(CultureInfo.InvariantCulture))).Trim(), CultureInfo.InvariantCulture);
    await using (var ch = await ClickHouseCostStore.OpenAsync(new ClickHouseStoreOptions { Urls = [new Uri($"http://127.0.0.1:{http}")], Database = "dwcp_bench" }))
    {
        loads.Add(("ClickHouse", await LoadAsync(ch, csv, work)));
        results.AddRange(await Queries.RunAsync("ClickHouse", ch, runs));
    }
}
finally
{
    if (chState is not null && chPid is { } pid)
    {
        await Script(root, "stop.sh", chState, pid.ToString(CultureInfo.InvariantCulture));
    }

    Directory.Delete(work, recursive: true);
}

var report = Report.Write(rows, asked, factor, runs, loads, results, notes);
var path = Path.Combine(root, "bench", "results", $"store-{DateTime.UtcNow:yyyyMMdd-HHmm}.md");
File.WriteAllText(path, report);
Console.WriteLine(report);
Console.WriteLine($"written to {path}");
return 0;

static async Task<double> LoadAsync(ICostStore store, string csv, string work)
{
    var sw = Stopwatch.StartNew();
    var result = await new BillingImporter(store).ImportAsync([csv], new ImportOptions { RejectedDir = work });
    if (!result.Committed)
    {
        throw new InvalidOperationException($"The {store.Backend} load failed: {result.Message}");
    }

    Console.WriteLine($"{store.Backend}: loaded {result.Load!.RowCount:N0} rows in {sw.Elapsed.TotalSeconds:N1} s");
    return sw.Elapsed.TotalSeconds;
}

static async Task<string> Script(string root, string name, params string[] args)
{
    var psi = new ProcessStartInfo("bash", [Path.Combine(root, "tools", "clickhouse", name), .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
    using var p = Process.Start(psi)!;
    var stdout = p.StandardOutput.ReadToEndAsync();
    var stderr = p.StandardError.ReadToEndAsync();
    await p.WaitForExitAsync();
    return p.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"tools/clickhouse/{name} failed ({p.ExitCode}): {await stderr}");
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}
