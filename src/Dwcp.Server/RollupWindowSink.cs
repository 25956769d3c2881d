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
        for (var i = 0; i < results.Count; i++)
        {
            capacity += results[i].Metrics.Count;
        }

        // Indexed loops: a foreach over the IReadOnlyList of each window would allocate an enumerator per window.
        var rows = new List<WindowRollup>(capacity);
        for (var i = 0; i < results.Count; i++)
        {
            var w = results[i];
            RequireFinal(w, nameof(results));
            for (var j = 0; j < w.Metrics.Count; j++)
            {
                rows.Add(WindowRollupRows.Row(w, j));
            }
        }

        return rows;
    }

    internal static void RequireFinal(WindowResult w, string parameter)
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
        var capacity = 0;
        for (var i = 0; i < results.Count; i++)
        {
            capacity += results[i].Custom.Count;
        }

        var rows = new List<CustomRollup>(capacity);
        for (var i = 0; i < results.Count; i++)
        {
            var w = results[i];
            RequireFinal(w, nameof(results));

            var s = w.Series;
            var custom = w.Custom;
            for (var j = 0; j < custom.Count; j++)
            {
                var c = custom[j];
                rows.Add(new CustomRollup(w.Start, w.End, w.Size, w.Slide, s.EventType, s.ResourceId, s.Provider, s.Region, s.Service, s.Account, s.Tags,
                    c.Name, TypeName(c.Type), c.Value, c.Partial, w.EventCount));
            }
        }

        return rows;
    }

    /// <summary>The JSON name of an aggregation type (<c>WeightedAverage</c> → <c>weighted_average</c>), as stored.</summary>
    /// <param name="type">The type.</param>
    /// <returns>Its snake_case name.</returns>
    public static string TypeName(AggregationType type) =>
        (uint)type < (uint)TypeNames.Length ? TypeNames[(int)type] : SnakeCase(type.ToString());

    // One name per defined type, built once: a custom row then costs no string of its own.
    private static readonly string[] TypeNames = BuildTypeNames();

    private static string[] BuildTypeNames()
    {
        var values = Enum.GetValues<AggregationType>();
        var names = new string[values.Length == 0 ? 0 : values.Max(v => (int)v) + 1];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = SnakeCase(((AggregationType)i).ToString());
        }

        return names;
    }

    private static string SnakeCase(string name)
    {
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
        // The metric rows are made as the store reads them (WindowRollupRows): a group's rows do not all live through the write.
        var rows = new WindowRollupRows(results);
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
