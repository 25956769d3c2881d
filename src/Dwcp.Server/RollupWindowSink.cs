using Dwcp.Storage;
using Dwcp.Streaming;

namespace Dwcp.Server;

/// <summary>
/// Writes the engine's closed windows to the store as rollup rows (<see cref="IRollupStore"/>, table <c>stream_rollups</c>):
/// one row per window × series × metric. Rewriting a window after a crash replaces its rows, so it never doubles.
/// </summary>
/// <param name="store">The rollup store.</param>
public sealed class RollupWindowSink(IRollupStore store) : IWindowSink
{
    private const int Attempts = 3;

    /// <summary>The rows of closed windows (provisional results are refused: only final windows are rollups).</summary>
    /// <param name="results">Closed windows.</param>
    /// <returns>Their rows.</returns>
    public static List<WindowRollup> ToRollups(IReadOnlyList<WindowResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var capacity = 0;
        foreach (var w in results)
        {
            capacity += w.Metrics.Count;
        }

        var rows = new List<WindowRollup>(capacity);
        foreach (var w in results)
        {
            if (!w.IsFinal)
            {
                throw new ArgumentException($"The window {w.Start:O} + {w.Size} of {w.Series} is provisional; only closed windows are written as rollups.", nameof(results));
            }

            var s = w.Series;
            foreach (var m in w.Metrics)
            {
                rows.Add(new WindowRollup(w.Start, w.End, w.Size, w.Slide, s.EventType, s.ResourceId, s.Provider, s.Region, s.Service, s.Account, s.Tags,
                    m.Metric, w.EventCount, m.Count, m.Sum, m.Min, m.Max, m.Average, m.Last, m.LastTimestamp, m.P50, m.P95, m.P99));
            }
        }

        return rows;
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
    {
        var rows = ToRollups(results);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendAsync(rows, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < Attempts && ex is not OperationCanceledException)
            {
                // The engine counts a failed batch and moves on; a transient store error deserves a retry first.
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
