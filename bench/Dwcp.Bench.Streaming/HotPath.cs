using System.Diagnostics;

namespace Dwcp.Bench.Streaming;

/// <summary>The <see cref="AllocationBenchmark"/> scenario timed by hand (for quick comparisons while tuning; the
/// reported figures come from BenchmarkDotNet).</summary>
public static class HotPath
{
    public static async Task<(double NanosPerEvent, double CpuNanosPerEvent, double BytesPerEvent)> MeasureAsync(int parallelism, DateTimeOffset now)
    {
        var scenario = new SteadyState(now);
        await using var engine = await scenario.WarmEngineAsync(parallelism);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await scenario.MeasuredAsync(engine);
        watch.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
        const double N = SteadyState.MeasuredEvents;
        return (watch.Elapsed.TotalNanoseconds / N, cpuUsed.TotalNanoseconds / N, bytes / N);
    }
}
