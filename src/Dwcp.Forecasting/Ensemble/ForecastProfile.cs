using System.Collections.Concurrent;
using System.Diagnostics;

namespace Dwcp.Forecasting.Ensemble;

/// <summary>Thread-safe accumulator of time spent per model and phase (<c>final</c> fit or <c>backtest</c>), for profiling.</summary>
public sealed class ForecastProfile
{
    private readonly ConcurrentDictionary<(string Model, string Phase), long> _ticks = new();

    /// <summary>Total elapsed time per (model, phase).</summary>
    public IReadOnlyDictionary<(string Model, string Phase), TimeSpan> Snapshot() =>
        _ticks.ToDictionary(kv => kv.Key, kv => Stopwatch.GetElapsedTime(0, kv.Value));

    internal T Measure<T>(string model, string phase, Func<T> work)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return work();
        }
        finally
        {
            long elapsed = Stopwatch.GetTimestamp() - start;
            _ticks.AddOrUpdate((model, phase), elapsed, (_, v) => v + elapsed);
        }
    }
}
