namespace Dwcp.Anomalies.Statistics;

/// <summary>
/// The last <c>capacity</c> values of a stream, kept both in arrival order (a ring) and sorted, so the median,
/// quantiles and MAD of the window cost O(1) or O(n) without sorting. Memory is bounded by the capacity.
/// </summary>
internal sealed class SortedWindow
{
    private readonly double[] _ring;
    private readonly List<double> _sorted;
    private int _next;

    public SortedWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new double[capacity];
        _sorted = new List<double>(capacity);
    }

    public int Count => _sorted.Count;

    public int Capacity => _ring.Length;

    /// <summary>Adds a value, evicting the oldest when full. NaN is ignored.</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        if (_sorted.Count == _ring.Length)
        {
            var old = _ring[_next];
            var at = _sorted.BinarySearch(old);
            _sorted.RemoveAt(at);
        }

        _ring[_next] = value;
        _next = (_next + 1) % _ring.Length;
        var pos = _sorted.BinarySearch(value);
        _sorted.Insert(pos < 0 ? ~pos : pos, value);
    }

    public ReadOnlySpan<double> Sorted => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_sorted);

    public double Median => RobustStats.MedianOfSorted(Sorted);

    public double Mad => RobustStats.MadOfSorted(Sorted);

    public double Quantile(double q) => RobustStats.QuantileOfSorted(Sorted, q);

    /// <summary>How many values in the window are ≥ <paramref name="x"/>.</summary>
    public int CountAtLeast(double x)
    {
        var s = Sorted;
        int lo = 0, hi = s.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (s[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return s.Length - lo;
    }
}
