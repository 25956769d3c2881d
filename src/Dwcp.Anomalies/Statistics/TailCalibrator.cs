namespace Dwcp.Anomalies.Statistics;

/// <summary>
/// Turns a raw detector statistic into an upper-tail probability under the series' own recent behaviour (the robust
/// null): the conformal p-value <c>(1 + #{past ≥ s}) / (n + 1)</c> over the last <c>capacity</c> statistics, and beyond
/// the k-th largest past value an exponential peaks-over-threshold tail (SPOT, Siffer et al. 2017, with GPD shape 0),
/// so p keeps falling smoothly instead of stopping at <c>1/(n+1)</c>. Only the past is used: call
/// <see cref="PValue"/> before <see cref="Add"/>.
/// </summary>
internal sealed class TailCalibrator
{
    private readonly SortedWindow _window;
    private readonly int _minHistory;
    private readonly int _tailCount;
    private readonly double? _fixedScale;
    private readonly double _minScale;

    /// <param name="capacity">Past statistics kept.</param>
    /// <param name="minHistory">Statistics needed before p-values drop below 1.</param>
    /// <param name="tailCount">k: the tail model starts beyond the k-th largest past value.</param>
    /// <param name="fixedTailScale">
    /// When set, the exponential tail's scale β is this constant instead of the mean excess of the top k: right when the
    /// statistic is −ln of a p-value (its null tail is exponential with β = 1) and steadier than a 9-point estimate.
    /// </param>
    /// <param name="minTailScale">Smallest β, in the statistic's own units: keeps ties among the top values from making the tail degenerate.</param>
    public TailCalibrator(int capacity, int minHistory, int tailCount = 10, double? fixedTailScale = null, double minTailScale = 0)
    {
        _minScale = minTailScale;
        _fixedScale = fixedTailScale;
        _window = new SortedWindow(capacity);
        _minHistory = Math.Max(minHistory, tailCount + 1);
        _tailCount = tailCount;
    }

    public int Count => _window.Count;

    public bool IsWarm => _window.Count >= _minHistory;

    /// <summary>Upper-tail probability of <paramref name="statistic"/> given the stored past (1 while warming up).</summary>
    public double PValue(double statistic)
    {
        if (!IsWarm || double.IsNaN(statistic))
        {
            return 1.0;
        }

        var n = _window.Count;
        var atLeast = _window.CountAtLeast(statistic);
        if (atLeast >= _tailCount)
        {
            return (atLeast + 1.0) / (n + 1.0);
        }

        var sorted = _window.Sorted;
        var u = sorted[n - _tailCount];
        double excess = 0;
        for (var i = n - _tailCount + 1; i < n; i++)
        {
            excess += sorted[i] - u;
        }

        var spread = Math.Abs(sorted[n - 1] - sorted[0]);
        var beta = _fixedScale ?? Math.Max(Math.Max(excess / (_tailCount - 1), Math.Max(spread, 1e-12) * 1e-6), _minScale);
        var p = _tailCount / (n + 1.0) * Math.Exp(-(statistic - u) / beta);
        return Math.Max(p, 1e-300);
    }

    public void Add(double statistic) => _window.Add(statistic);
}
