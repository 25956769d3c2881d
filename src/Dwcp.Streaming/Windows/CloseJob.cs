using Dwcp.Streaming.Engine;

namespace Dwcp.Streaming.Windows;

/// <summary>
/// Windows a partition's worker closed at one watermark, handed to the partition's closer task to build and publish
/// their results, so that merging up to 15 panes × thousands of series does not delay the batches behind the close.
/// The job owns the panes it lists until the worker reclaims it: panes retired at the same watermark go back to the
/// worker's pools only after the closer is done reading them. A job may instead carry a drain barrier.
/// </summary>
internal sealed class CloseJob
{
    private readonly List<(OpenWindow Window, int First, int Count)> _windows = [];
    private readonly List<Pane> _windowPanes = [];

    /// <summary>Panes removed from the store at this watermark (every window containing them has closed).</summary>
    public List<Pane> Retired { get; } = [];

    /// <summary>The watermark that closed the windows (for the latency promise).</summary>
    public WatermarkMarker Marker { get; set; }

    /// <summary>Aggregations registered when the windows closed.</summary>
    public CustomAggregation[] Aggregations { get; set; } = [];

    /// <summary>Completed once the closer has handled every job queued before this one (drain barrier).</summary>
    public TaskCompletionSource? Barrier { get; init; }

    public int WindowCount => _windows.Count;

    public bool IsEmpty => _windows.Count == 0 && Retired.Count == 0;

    public OpenWindow WindowAt(int i) => _windows[i].Window;

    public ReadOnlySpan<Pane> PanesOf(int i)
    {
        var (_, first, count) = _windows[i];
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_windowPanes).Slice(first, count);
    }

    /// <summary>Adds a closed window and the (frozen) panes of its span.</summary>
    public void AddWindow(OpenWindow window, IReadOnlyDictionary<long, Pane> panes, long paneTicks)
    {
        var first = _windowPanes.Count;
        for (var p = window.Start; p < window.End; p += paneTicks)
        {
            if (panes.TryGetValue(p, out var pane))
            {
                _windowPanes.Add(pane);
            }
        }

        _windows.Add((window, first, _windowPanes.Count - first));
    }

    public void Clear()
    {
        _windows.Clear();
        _windowPanes.Clear();
        Retired.Clear();
        Aggregations = [];
    }
}
