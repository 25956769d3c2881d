using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dwcp.Bench.Streaming;
using Dwcp.Streaming;

// dotnet run -c Release --project bench/Dwcp.Bench.Streaming [-- --events N] [--skip-bdn]   (or: -- kafka [--events N]; or: -- http [--events N] [--senders N] [--cli path/to/dwcp.dll] [--skip-baseline] [--server-env K=V]...)
var count = args.SkipWhile(a => a != "--events").Skip(1).Select(int.Parse).FirstOrDefault(300_000);
var skipBdn = args.Contains("--skip-bdn");
const int EventMinutes = 30;
var inv = CultureInfo.InvariantCulture;
var now = DateTimeOffset.UtcNow;
if (args.Contains("--parse-bench"))
{
    // Parse + WAL-encode cost per event, single thread (dotnet run -c Release --project bench/Dwcp.Bench.Streaming -- --parse-bench [--events N]).
    ParseBench.Run(args.SkipWhile(a => a != "--events").Skip(1).Select(int.Parse).FirstOrDefault(100_000), now);
    return;
}

if (args.Contains("http"))
{
    // bench.sh streaming-http passes the CLI it built: dotnet <dll> serve is the server under test.
    var cli = args.SkipWhile(a => a != "--cli").Skip(1).FirstOrDefault() ?? Path.Combine(FindRoot(), ".build", "cli", "dwcp.dll");
    var senders = args.SkipWhile(a => a != "--senders").Skip(1).Select(int.Parse).FirstOrDefault(2);
    var serverEnv = args.Select((a, i) => (a, i)).Where(p => p.a == "--server-env" && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
    await HttpMode.RunAsync(args.SkipWhile(a => a != "--events").Skip(1).Select(int.Parse).FirstOrDefault(500_000), senders, now, FindRoot(), cli,
        skipBaseline: args.Contains("--skip-baseline"), serverEnv,
        eventMinutes: args.SkipWhile(a => a != "--event-minutes").Skip(1).Select(int.Parse).FirstOrDefault(30));
    return;
}

if (args.Contains("kafka"))
{
    await KafkaMode.RunAsync(args.SkipWhile(a => a != "--events").Skip(1).Select(int.Parse).FirstOrDefault(200_000), now, FindRoot());
    return;
}

var events = BenchData.Generate(count, now, TimeSpan.FromMinutes(EventMinutes));
var unique = events.DistinctBy(e => e.EventId).Count();
Console.WriteLine($"{count:N0} events ({unique:N0} unique), {BenchData.Resources:N0} resources, {BenchData.MetricsPerEvent} metrics/event, windows 1/5/15 min");

if (args.Contains("--quick"))
{
    // Fast feedback while tuning: the BenchmarkDotNet hot-path scenario, timed with a stopwatch, plus one throughput run.
    foreach (var parallelism in new[] { 1, 2 })
    {
        for (var round = 0; round < 3; round++)
        {
            var (nanos, cpuNanos, bytes) = await HotPath.MeasureAsync(parallelism, now);
            Console.WriteLine($"hot path P={parallelism}: {nanos:F0} ns/event ({1e9 / nanos:N0} events/s), CPU {cpuNanos:F0} ns/event, {bytes:F2} B/event");
        }
    }

    var quick = await RunEngineAsync(events, now, Environment.ProcessorCount, null);
    Console.WriteLine($"engine: {quick.Seconds:F3} s, {count / quick.Seconds:N0} events/s, {quick.AllocatedBytesPerEvent:F1} B/event, {quick.Counted:N0} counted");
    return;
}

if (args.Contains("--pacing-ab"))
{
    // Same-load comparison of admission pacing (StreamingConfig.AdmissionQueueDelay) on the end-to-end run, interleaved.
    foreach (var round in Enumerable.Range(1, 3))
    {
        foreach (var delay in new[] { TimeSpan.Zero, new StreamingConfig().AdmissionQueueDelay, TimeSpan.FromMilliseconds(250) })
        {
            var r = await RunEngineAsync(events, now, Environment.ProcessorCount, null, delay);
            Console.WriteLine($"round {round}, admission delay {delay.TotalMilliseconds:F0} ms: {r.Seconds:F3} s, {count / r.Seconds:N0} events/s, mean accept→queryable {r.MeanLatencyMs:F1} ms per batch");
        }
    }

    return;
}

if (args.Contains("--hot-profile"))
{
    // For a CPU profiler (dotnet-trace): a long steady-state hot path, 1,000,000 measured events after 200,000 warm-up.
    var minute = new DateTimeOffset((now - TimeSpan.FromHours(2)).UtcTicks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);
    var hot = BenchData.Generate(1_200_000, now, TimeSpan.FromSeconds(50), seed: 7, idPrefix: "hot", from: minute);
    await using var engine = new RealtimeEngine(BenchData.EngineConfig(1), new FrozenClock(now));
    await engine.StartAsync();
    var cpuBefore = TimeSpan.Zero;
    var watch = new Stopwatch();
    for (var i = 0; i < hot.Length; i += 1000)
    {
        if (i == 200_000)
        {
            await engine.DrainAsync();
            cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            watch.Start();
        }

        await engine.TryAcceptAsync(new ArraySegment<StreamEvent>(hot, i, 1000));
    }

    await engine.DrainAsync();
    Console.WriteLine($"hot: {watch.Elapsed.TotalNanoseconds / 1e6:F0} ns/event wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalNanoseconds / 1e6:F0} ns/event CPU");
    return;
}

if (args.Contains("--alloc-profile-hot"))
{
    // The BenchmarkDotNet hot-path scenario (steady state), with allocations sampled by type during the measured part only.
    var scenario = new SteadyState(now);
    await using var engine = await scenario.WarmEngineAsync(Environment.ProcessorCount);
    using var profiler = new AllocationProfiler();
    var before = GC.GetTotalAllocatedBytes(precise: true);
    await scenario.MeasuredAsync(engine);
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
    Console.WriteLine($"hot path: {allocated / 50_000.0:F2} B/event ({allocated:N0} B for {SteadyState.MeasuredEvents / SteadyState.Batch} batches of {SteadyState.Batch})");
    foreach (var (type, bytes) in profiler.BytesByType.OrderByDescending(kv => kv.Value).Take(10))
    {
        Console.WriteLine($"  {bytes / 50_000.0,8:F1} B/event  {type}");
    }

    return;
}

if (args.Contains("--alloc-profile"))
{
    using var profiler = new AllocationProfiler();
    var run = await RunEngineAsync(events, now, Environment.ProcessorCount, null);
    Console.WriteLine($"engine: {run.Seconds:F3} s, {run.AllocatedBytesPerEvent:F1} B/event");
    foreach (var (type, bytes) in profiler.BytesByType.OrderByDescending(kv => kv.Value).Take(15))
    {
        Console.WriteLine($"  {bytes / (double)count,8:F1} B/event  {type}");
    }

    return;
}

var loadBefore = LoadAverage();
var engineRuns = new List<EngineRun>();
var baselineRuns = new List<double>();
for (var round = 0; round < 3; round++)
{
    engineRuns.Add(await RunEngineAsync(events, now, Environment.ProcessorCount, null));
    Console.WriteLine($"  engine   run {round + 1}: {engineRuns[^1].Seconds:F3} s, {engineRuns[^1].AllocatedBytesPerEvent:F1} B/event, {engineRuns[^1].Counted:N0} counted");
    baselineRuns.Add(RunBaseline(events));
    Console.WriteLine($"  baseline run {round + 1}: {baselineRuns[^1]:F3} s");
}

var walDirectory = Path.Combine(Path.GetTempPath(), "dwcp-bench-wal-" + Guid.NewGuid().ToString("N"));
var walRun = await RunEngineAsync(events, now, Environment.ProcessorCount, walDirectory);
Directory.Delete(walDirectory, recursive: true);
Console.WriteLine($"  engine with WAL (fsync per 5,000-event batch): {walRun.Seconds:F3} s");

var best = engineRuns.MinBy(r => r.Seconds)!;
var bestBaseline = baselineRuns.Min();
if (engineRuns.Any(r => r.Counted != unique) || walRun.Counted != unique)
{
    throw new InvalidOperationException($"engine counted {string.Join("/", engineRuns.Select(r => r.Counted))} events, expected {unique}");
}

var bdnRows = new List<string>();
if (!skipBdn)
{
    var config = ManualConfig.CreateEmpty()
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(6)
            .WithInvocationCount(1).WithUnrollFactor(1))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddLogger(ConsoleLogger.Default)
        .AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance)
        .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "dwcp-bdn-streaming"));
    var summary = BenchmarkRunner.Run<AllocationBenchmark>(config);
    foreach (var report in summary.Reports)
    {
        // exact bytes per event (GetBytesAllocatedPerOperation rounds down to whole bytes)
        var bytes = report.GcStats.TotalOperations > 0
            ? (double)(report.GcStats.GetTotalAllocatedBytes(excludeAllocationQuantumSideEffects: true) ?? 0) / report.GcStats.TotalOperations
            : double.NaN;
        var nanos = report.ResultStatistics?.Mean ?? double.NaN;
        bdnRows.Add($"| {report.BenchmarkCase.Parameters["Parallelism"]} | {nanos:F0} ns | {1e9 / nanos:N0} | {bytes:F2} B | {1e9 / nanos / (count / bestBaseline):F1}× |");
    }
}

var root = FindRoot();
var stamp = now.ToString("yyyyMMdd-HHmm", inv);
var path = Path.Combine(root, "bench", "results", $"streaming-inprocess-{stamp}.md");
var text = new StringBuilder();
text.AppendLine(CultureInfo.InvariantCulture, $"# Streaming engine, in-process — {now:yyyy-MM-dd HH:mm} UTC");
text.AppendLine();
text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {CpuModel()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}. Shared machine: other engineers' builds and tests ran on the same 2 cores during this run (load average {loadBefore} at the start, {LoadAverage()} at the end), so absolute numbers are noisy; compare ratios measured in the same run.");
text.AppendLine();
text.AppendLine(CultureInfo.InvariantCulture, $"Data: {count:N0} events ({unique:N0} unique ids, 2% re-sent), {BenchData.Resources:N0} resources, {BenchData.MetricsPerEvent} metrics per event, {EventMinutes} minutes of event time, ±2 s disorder. Engine: windows 1/5/15 min, group by provider/region/service/account (2,400 series), DDSketch α = 1%, duplicate detection on, batches of 5,000, ParallelismFactor {Environment.ProcessorCount}, no WAL unless stated. Time = first accept until every event is applied and all windows are materialised as results. Best of 3, interleaved.");
text.AppendLine();
text.AppendLine("| run | time | events/s | allocated per event (whole run, all threads) |");
text.AppendLine("|---|---|---|---|");
text.AppendLine(CultureInfo.InvariantCulture, $"| engine (in memory) | {best.Seconds:F3} s | {count / best.Seconds:N0} | {best.AllocatedBytesPerEvent:F1} B |");
text.AppendLine(CultureInfo.InvariantCulture, $"| engine with WAL (fsync per batch) | {walRun.Seconds:F3} s | {count / walRun.Seconds:N0} | {walRun.AllocatedBytesPerEvent:F1} B |");
text.AppendLine(CultureInfo.InvariantCulture, $"| naive LINQ GroupBy baseline (same aggregates, exact quantiles) | {bestBaseline:F3} s | {count / bestBaseline:N0} | — |");
text.AppendLine(CultureInfo.InvariantCulture, $"| **ratio engine / baseline** | | **{bestBaseline / best.Seconds:F1}×** | |");
text.AppendLine();
text.AppendLine(CultureInfo.InvariantCulture, $"All runs: engine {string.Join(", ", engineRuns.Select(r => r.Seconds.ToString("F3", inv)))} s; baseline {string.Join(", ", baselineRuns.Select(s => s.ToString("F3", inv)))} s. Mean accept→queryable latency per batch (best run): {best.MeanLatencyMs:F1} ms.");
if (bdnRows.Count > 0)
{
    text.AppendLine();
    text.AppendLine(CultureInfo.InvariantCulture, $"BenchmarkDotNet `[MemoryDiagnoser]`, per-event hot path in steady state (accept → dedup → watermark → partition → window update; {AllocationBenchmark.EventsPerInvoke:N0} events per operation in one 1-minute window whose 2,400 series are already open, batches of {SteadyState.Batch:N0}; per iteration a fresh engine warmed up with {SteadyState.WarmUpPerMinute:N0} events in minute A, one event 16 minutes later that closes minute A's windows and recycles its pane, and {SteadyState.WarmUpPerMinute:N0} events in minute B; allocated bytes exact, not rounded):");
    text.AppendLine();
    text.AppendLine("| ParallelismFactor | time per event | events/s | allocated per event | events/s / baseline events/s |");
    text.AppendLine("|---|---|---|---|---|");
    bdnRows.ForEach(r => text.AppendLine(r));
}

File.WriteAllText(path, text.ToString());
Console.WriteLine(text);
Console.WriteLine("written " + path);
return;

static async Task<EngineRun> RunEngineAsync(StreamEvent[] events, DateTimeOffset now, int parallelism, string? dataDirectory, TimeSpan? admissionQueueDelay = null)
{
    const int Batch = 5_000;
    var sink = new CountingSink();
    var config = BenchData.EngineConfig(parallelism);
    config = new StreamingConfig
    {
        BufferSize = config.BufferSize,
        ParallelismFactor = config.ParallelismFactor,
        ClosedWindowHistory = config.ClosedWindowHistory,
        DataDirectory = dataDirectory,
        CheckpointEveryEvents = 0,
        AdmissionQueueDelay = admissionQueueDelay ?? new StreamingConfig().AdmissionQueueDelay,
    };
    // A frozen wall clock: the watermark moves with event time only, so the final count is not raced by timer closes.
    var engine = new RealtimeEngine(config, new FrozenClock(now), sink);
    await engine.StartAsync();
    GC.Collect();
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < events.Length; i += Batch)
    {
        var segment = new ArraySegment<StreamEvent>(events, i, Math.Min(Batch, events.Length - i));
        while ((await engine.TryAcceptAsync(segment)).Status == AcceptStatus.BufferFull)
        {
            await Task.Delay(1);
        }
    }

    await engine.DrainAsync();
    var open = engine.QueryOpenWindows();
    watch.Stop();
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    var metrics = engine.GetMetrics();
    var counted = sink.OneMinuteEvents + open.Where(r => r.Size == TimeSpan.FromMinutes(1)).Sum(r => r.EventCount);
    var latency = metrics.AcceptToQueryableLatency;
    await engine.DisposeAsync();
    return new EngineRun(watch.Elapsed.TotalSeconds, (double)allocated / events.Length, counted, latency.SumSeconds * 1000 / Math.Max(1, latency.Count));
}

static double RunBaseline(StreamEvent[] events)
{
    GC.Collect();
    var watch = Stopwatch.StartNew();
    var rows = NaiveBaseline.Compute(events, [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)]);
    watch.Stop();
    GC.KeepAlive(rows);
    return watch.Elapsed.TotalSeconds;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

static string LoadAverage()
{
    try
    {
        return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "unknown";
    }
}

static string CpuModel()
{
    try
    {
        return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }
    catch (IOException)
    {
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}

/// <summary>Wall clock fixed at one instant; timestamps (for latency) stay real.</summary>
internal sealed class FrozenClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal sealed record EngineRun(double Seconds, double AllocatedBytesPerEvent, long Counted, double MeanLatencyMs);

internal sealed class CountingSink : IWindowSink
{
    private long _oneMinute;

    public long OneMinuteEvents => Interlocked.Read(ref _oneMinute);

    public ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
    {
        foreach (var r in results)
        {
            if (r.Size == TimeSpan.FromMinutes(1))
            {
                Interlocked.Add(ref _oneMinute, r.EventCount);
            }
        }

        return ValueTask.CompletedTask;
    }
}
