using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dwcp.Forecasting;
using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;

namespace Dwcp.Bench.Forecast;

/// <summary>Throughput of each model and of the full ensemble on generated hourly series.</summary>
internal static class Speed
{
    public static string Run(int series, int points, int subset, int threads, string machine, TextWriter log)
    {
        var ci = CultureInfo.InvariantCulture;
        var data = Datasets.SpeedSeries(series, points, 424242);
        int used = Math.Min(subset, data.Length);
        var sb = new StringBuilder();
        sb.AppendLine(ci, $"# Forecast speed {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine(ci, $"Machine: {machine}. {series} generated hourly series of {points} points (seed 424242), horizon 48, periods 24/168, levels 80/95.");
        sb.AppendLine(ci, $"Measured on the first {used} series{(used < series ? " (subset: the full set would exceed the time budget; throughput is per series so it extrapolates linearly)" : "")}, {threads} worker threads.");
        sb.AppendLine();
        sb.AppendLine("| model | series/s (wall, shared machine) | CPU ms/series | series/s on 2 dedicated cores (2 / CPU-s per series) |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var name in new[] { "naive", "snaive", "drift", "theta", "m4comb", "ets", "arima", "mstl" })
        {
            int k = name is "arima" or "ets" or "mstl" ? Math.Min(used, 100) : used;
            var (rate, ms, ded) = Time(data, k, threads, req => ModelCatalog.Create(name).Forecast(req));
            sb.AppendLine(ci, $"| {name} (single fit, model intervals) | {rate:F1} | {ms:F1} | {ded:F1} |");
            log.WriteLine($"  {name}: {rate:F1} series/s wall, {ms:F1} CPU ms/series, {ded:F1} series/s dedicated");
        }

        var profile = new ForecastProfile();
        var options = new AutoForecasterOptions { Profile = profile };
        var auto = new AutoForecaster(options);
        var (autoRate, autoMs, autoDed) = Time(data, used, threads, auto.Forecast);
        sb.AppendLine(ci, $"| **auto ensemble** ({options.Models.Count(m => !options.SubDailyExclude.Contains(m))} candidates for hourly data, Box-Cox on positive series, × (final fit + {options.BacktestOrigins} backtest origins), conformal intervals) | {autoRate:F1} | {autoMs:F1} | **{autoDed:F1}** |");
        log.WriteLine($"  auto: {autoRate:F1} series/s wall, {autoMs:F1} CPU ms/series, {autoDed:F1} series/s dedicated");
        // The CSV job's full ensemble for ≥ 20 series: train the global model once, then auto with gbm as one more candidate.
        var gbmProc = Process.GetCurrentProcess();
        var gbmCpu0 = gbmProc.TotalProcessorTime;
        var gbmWall = Stopwatch.StartNew();
        using var gbm = GlobalGbm.Train([.. data.Take(used)], 48, [24, 168], holdOut: options.BacktestOrigins * 48, refitFull: true);
        double trainWall = gbmWall.Elapsed.TotalSeconds;
        gbmProc.Refresh();
        double trainCpuMs = (gbmProc.TotalProcessorTime - gbmCpu0).TotalMilliseconds;
        var autoGbm = new AutoForecaster(new AutoForecasterOptions { Profile = profile });
        var (gRate, gMs, _) = Time(data, used, threads, req => autoGbm.Forecast(req, gbm));
        double perSeriesCpu = gMs + trainCpuMs / used;
        double gWall = used / (used / gRate + trainWall);
        sb.AppendLine(ci, $"| **auto + gbm** (as the CSV job with ≥ 20 series; training {trainWall:F1} s wall / {trainCpuMs / 1000:F1} CPU-s on {used} series included) | {gWall:F1} | {perSeriesCpu:F1} | **{threads * 1000 / perSeriesCpu:F1}** |");
        log.WriteLine($"  auto+gbm: {gWall:F1} series/s wall, {perSeriesCpu:F1} CPU ms/series");
        sb.AppendLine();
        sb.AppendLine(ci, $"Load average during the run: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (other engineers share the 2 cores, so wall-clock rates understate dedicated throughput).");
        sb.AppendLine();
        double gDed = threads * 1000 / perSeriesCpu;
        sb.AppendLine(ci, $"Goal: full ensemble ≥ 10 series/s on 2 cores — from CPU time: auto {autoDed:F1} ({(autoDed >= 10 ? "met" : "NOT met")}), auto + gbm {gDed:F1} ({(gDed >= 10 ? "met" : "NOT met")}); wall-clock on the shared machine: {autoRate:F1} and {gWall:F1} ({(Math.Min(autoRate, gWall) >= 10 ? "met" : "not met")} with other processes on the cores).");
        sb.AppendLine();
        sb.AppendLine("## Where the ensemble's time goes");
        sb.AppendLine();
        var snap = profile.Snapshot();
        double total = snap.Values.Sum(t => t.TotalSeconds);
        sb.AppendLine("| model | final fit s | backtest s | share of model time |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var g in snap.GroupBy(kv => kv.Key.Model).OrderByDescending(g => g.Sum(kv => kv.Value.TotalSeconds)))
        {
            double fin = g.Where(kv => kv.Key.Phase == "final").Sum(kv => kv.Value.TotalSeconds);
            double bt = g.Where(kv => kv.Key.Phase == "backtest").Sum(kv => kv.Value.TotalSeconds);
            sb.AppendLine(ci, $"| {g.Key} | {fin:F1} | {bt:F1} | {(fin + bt) / total:P1} |");
        }

        double finAll = snap.Where(kv => kv.Key.Phase == "final").Sum(kv => kv.Value.TotalSeconds);
        sb.AppendLine(ci, $"| **all** | {finAll:F1} | {total - finAll:F1} | backtest {(total - finAll) / total:P1} |");
        sb.AppendLine();
        sb.AppendLine("Times are summed over worker threads (wall time per call, inflated by other processes on the shared cores); they cover both the auto and the auto + gbm runs; seasonality detection, combination and GBM training are outside the table.");
        return sb.ToString();
    }

    /// <summary>
    /// Runs f on the first <paramref name="count"/> series. The machine is shared, so besides wall-clock throughput this
    /// reports process CPU time per series; throughput on <paramref name="threads"/> dedicated cores = threads / CPU-s per series.
    /// </summary>
    private static (double WallRate, double CpuMsPerSeries, double DedicatedRate) Time(double[][] data, int count, int threads, Func<ForecastRequest, ForecastResult> f)
    {
        f(new ForecastRequest { Values = data[0], Horizon = 48, SeasonalPeriods = [24, 168], Levels = [80, 95] }); // JIT warm-up
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            f(new ForecastRequest { Values = data[i], Horizon = 48, SeasonalPeriods = [24, 168], Levels = [80, 95] });
        });
        double s = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        double cpuMs = (proc.TotalProcessorTime - cpu0).TotalMilliseconds / count;
        return (count / s, cpuMs, threads * 1000 / cpuMs);
    }
}
