using Dwcp.Storage;
using Dwcp.Streaming;

namespace Dwcp.Server;

/// <summary>
/// Writes the engine's closed windows to the store as rollup rows (<see cref="IRollupStore"/>): one row per window × series
/// × metric (<c>stream_rollups</c>) and one per window × series × custom aggregation (<c>stream_custom_rollups</c>), both
/// kinds in one append so they become visible together. Rewriting a window after a crash replaces its rows, so it never doubles.
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
            RequireFinal(w, nameof(results));

            var s = w.Series;
            foreach (var m in w.Metrics)
            {
                rows.Add(new WindowRollup(w.Start, w.End, w.Size, w.Slide, s.EventType, s.ResourceId, s.Provider, s.Region, s.Service, s.Account, s.Tags,
                    m.Metric, w.EventCount, m.Count, m.Sum, m.Min, m.Max, m.Average, m.Last, m.LastTimestamp, m.P50, m.P95, m.P99));
            }
        }

        return rows;
    }

    private static void RequireFinal(WindowResult w, string parameter)
    {
        if (!w.IsFinal)
        {
            throw new ArgumentException($"The window {w.Start:O} + {w.Size} of {w.Series} is provisional; only closed windows are written as rollups.", parameter);
        }
    }

    /// <summary>The custom-aggregation rows of closed windows: one per window × series × value in <see cref="WindowResult.Custom"/>.</summary>
    /// <param name="results">Closed windows.</param>
    /// <returns>Their rows.</returns>
    public static List<CustomRollup> ToCustomRollups(IReadOnlyList<WindowResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = new List<CustomRollup>();
        foreach (var w in results)
        {
            RequireFinal(w, nameof(results));

            var s = w.Series;
            foreach (var c in w.Custom)
            {
                rows.Add(new CustomRollup(w.Start, w.End, w.Size, w.Slide, s.EventType, s.ResourceId, s.Provider, s.Region, s.Service, s.Account, s.Tags,
                    c.Name, TypeName(c.Type), c.Value, c.Partial, w.EventCount));
            }
        }

        return rows;
    }

    /// <summary>The JSON name of an aggregation type (<c>WeightedAverage</c> → <c>weighted_average</c>), as stored.</summary>
    /// <param name="type">The type.</param>
    /// <returns>Its snake_case name.</returns>
    public static string TypeName(AggregationType type)
    {
        var name = type.ToString();
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
    {
        var rows = ToRollups(results);
        var custom = ToCustomRollups(results);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendAsync(rows, custom, cancellationToken).ConfigureAwait(false);
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
