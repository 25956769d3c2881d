using System.Diagnostics;
using Dwcp.Streaming;

namespace Dwcp.Bench.Streaming;

/// <summary>The <see cref="AllocationBenchmark"/> scenario timed by hand (for quick comparisons while tuning; the
/// reported figures come from BenchmarkDotNet).</summary>
public static class HotPath
{
    public static async Task<(double NanosPerEvent, double CpuNanosPerEvent, double BytesPerEvent)> MeasureAsync(int parallelism, DateTimeOffset now)
    {
        const int Batch = 1_000;
        var minute = new DateTimeOffset((now - TimeSpan.FromHours(2)).UtcTicks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);
        var total = AllocationBenchmark.WarmUpEvents + AllocationBenchmark.EventsPerInvoke;
        var events = BenchData.Generate(total, now, TimeSpan.FromSeconds(50), seed: 7, idPrefix: "alloc", from: minute);
        await using var engine = new RealtimeEngine(BenchData.EngineConfig(parallelism), new FrozenClock(now));
        await engine.StartAsync();
        await FeedAsync(engine, events, 0, AllocationBenchmark.WarmUpEvents, Batch);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await FeedAsync(engine, events, AllocationBenchmark.WarmUpEvents, AllocationBenchmark.EventsPerInvoke, Batch);
        watch.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
        return (watch.Elapsed.TotalNanoseconds / AllocationBenchmark.EventsPerInvoke, cpuUsed.TotalNanoseconds / AllocationBenchmark.EventsPerInvoke, (double)bytes / AllocationBenchmark.EventsPerInvoke);
    }

    private static async Task FeedAsync(RealtimeEngine engine, StreamEvent[] events, int from, int count, int batch)
    {
        for (var i = from; i < from + count; i += batch)
        {
            while ((await engine.TryAcceptAsync(new ArraySegment<StreamEvent>(events, i, batch))).Status == AcceptStatus.BufferFull)
            {
                await Task.Delay(1);
            }
        }

        await engine.DrainAsync();
    }
}
