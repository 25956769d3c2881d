namespace Dwcp.Anomalies.Statistics;

/// <summary>
/// The last <c>capacity</c> values of a stream, kept both in arrival order (a ring) and sorted, so the median,
/// quantiles and MAD of the window cost O(1) or O(n) without sorting. Memory is bounded by the capacity, and grows
/// with the values held (doubling from 16): thousands of live detectors that have seen few values do not each reserve
/// their full windows up front (that reservation was most of the server's allocations under stream load).
/// </summary>
internal sealed class SortedWindow
{
    private const int InitialSize = 16;
    private readonly int _capacity;
    private readonly List<double> _sorted;
    private double[] _ring;
    private int _next;

    public SortedWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _ring = new double[Math.Min(capacity, InitialSize)];
        _sorted = new List<double>(Math.Min(capacity, InitialSize));
    }

    public int Count => _sorted.Count;

    public int Capacity => _capacity;

    /// <summary>Adds a value, evicting the oldest when full. NaN is ignored.</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        if (_sorted.Count == _capacity)
        {
            var old = _ring[_next];
            var at = _sorted.BinarySearch(old);
            _sorted.RemoveAt(at);
        }
        else if (_sorted.Count == _ring.Length)
        {
            // Not full yet: the ring holds values 0..Count-1 in arrival order and _next == Count, so growing keeps them.
            Array.Resize(ref _ring, (int)Math.Min(_capacity, 2L * _ring.Length));
        }

        _ring[_next] = value;
        _next = (_next + 1) % _capacity;
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
