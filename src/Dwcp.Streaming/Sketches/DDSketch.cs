namespace Dwcp.Streaming.Sketches;

/// <summary>
/// DDSketch (Masson, Rim, Lee, VLDB 2019): a mergeable quantile sketch with relative accuracy α. Positive value x goes
/// to bucket i = ⌈log_γ x⌉ with γ = (1+α)/(1−α); the bucket's estimate 2γ^i/(γ+1) is within α·x of every value in it,
/// so any quantile estimate q̂ satisfies |q̂ − q| ≤ α·|q| as long as no bucket was collapsed. Negative values use a
/// mirrored store; values with |x| below 1e-9 count as zero. Each store keeps at most <c>maxBuckets</c> buckets and
/// collapses its lowest (smallest-magnitude) ones beyond that. Not thread-safe.
/// </summary>
public sealed class DDSketch
{
    /// <summary>Magnitudes below this are counted in the zero bucket.</summary>
    public const double MinIndexableValue = 1e-9;

    private readonly double _gamma;
    private readonly double _multiplier; // 1 / ln γ
    private readonly LogIndexTable? _table;
    private SketchBuckets _buckets; // a mutable struct held inline: never readonly, never copied

    /// <summary>Creates an empty sketch.</summary>
    /// <param name="relativeAccuracy">α in (0, 1); default 0.01.</param>
    /// <param name="maxBuckets">Most buckets per sign; default 2048 (covers 1e-9 … 1e9 at α = 1%).</param>
    public DDSketch(double relativeAccuracy = 0.01, int maxBuckets = 2048)
    {
        if (relativeAccuracy is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(relativeAccuracy), relativeAccuracy, "The relative accuracy must be in (0, 1), e.g. 0.01.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, 16);
        RelativeAccuracy = relativeAccuracy;
        MaxBuckets = maxBuckets;
        _gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        _multiplier = 1 / Math.Log(_gamma);
        _table = LogIndexTable.For(_gamma);
        _buckets = new SketchBuckets(maxBuckets);
    }

    /// <summary>α: guaranteed relative error of quantile estimates.</summary>
    public double RelativeAccuracy { get; }

    /// <summary>Most buckets per sign.</summary>
    public int MaxBuckets { get; }

    /// <summary>Values added.</summary>
    public long Count { get; private set; }

    /// <summary>Exact minimum (NaN when empty).</summary>
    public double Min { get; private set; } = double.NaN;

    /// <summary>Exact maximum (NaN when empty).</summary>
    public double Max { get; private set; } = double.NaN;

    /// <summary>Whether buckets were collapsed, so the lowest quantiles may exceed the α bound.</summary>
    public bool IsCollapsed => _buckets.IsCollapsed;

    /// <summary>Approximate heap bytes held.</summary>
    public long MemoryBytes => 96 + _buckets.AllocatedBytes;

    /// <summary>Adds a finite value.</summary>
    /// <param name="value">The value.</param>
    public void Add(double value) => AddIndexed(value, IndexOf(value));

    /// <summary>Bucket index of |value| (shared by sketches of the same α, so a caller can compute it once).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The index (meaningless for |value| &lt; <see cref="MinIndexableValue"/>).</returns>
    public int IndexOf(double value)
    {
        var magnitude = Math.Abs(value);
        if (magnitude < MinIndexableValue)
        {
            return 0;
        }

        if (_table is not null && _table.TryIndexOf(magnitude, out var index))
        {
            return index;
        }

        return IndexByLog(magnitude);
    }

    /// <summary>⌈ln x / ln γ⌉ for x ≥ 1e-9 without the table.</summary>
    internal int IndexByLog(double magnitude)
    {
        // ⌈ln x / ln γ⌉ from a series logarithm (error < 1e-12, a quarter of Math.Log's cost); when the scaled log is within
        // 1e-7 of an integer the ceiling could differ from the exact formula's, so that rare case takes Math.Log.
        var scaled = FastLog(magnitude) * _multiplier;
        var ceiling = Math.Ceiling(scaled);
        var gap = ceiling - scaled;
        return gap is > 1e-7 and < 1 - 1e-7 ? (int)ceiling : (int)Math.Ceiling(Math.Log(magnitude) * _multiplier);
    }

    /// <summary>ln x for a positive normal double: exponent · ln 2 + 2·atanh((m−1)/(m+1)) with m in [√½, √2), the atanh
    /// series to the 13th power (truncation error below 5e-13).</summary>
    internal static double FastLog(double x)
    {
        var bits = BitConverter.DoubleToInt64Bits(x);
        var exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        var mantissa = BitConverter.Int64BitsToDouble((bits & 0xF_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000);
        if (mantissa > 1.4142135623730951)
        {
            mantissa *= 0.5;
            exponent++;
        }

        var f = (mantissa - 1) / (mantissa + 1);
        var f2 = f * f;
        var series = 1 + (f2 * ((1.0 / 3) + (f2 * ((1.0 / 5) + (f2 * ((1.0 / 7) + (f2 * ((1.0 / 9) + (f2 * ((1.0 / 11) + (f2 / 13)))))))))));
        return (exponent * 0.6931471805599453) + (2 * f * series);
    }

    /// <summary>Adds a value whose index was computed by <see cref="IndexOf"/> of a sketch with the same α.</summary>
    /// <param name="value">The value.</param>
    /// <param name="index">Its bucket index.</param>
    public void AddIndexed(double value, int index)
    {
        _buckets.Add(value, index);
        if (Count == 0)
        {
            Min = Max = value;
        }
        else if (value < Min)
        {
            Min = value; // values are finite (validated), so plain comparisons suffice
        }
        else if (value > Max)
        {
            Max = value;
        }

        Count++;
    }

    /// <summary>Empties the sketch, keeping its buckets' memory for reuse.</summary>
    public void Clear()
    {
        _buckets.Clear();
        Count = 0;
        Min = Max = double.NaN;
    }

    /// <summary>Estimates the q-quantile: the value of rank ⌊q·(n−1)⌋ in sorted order, within α relative error.</summary>
    /// <param name="q">Quantile in [0, 1].</param>
    /// <returns>The estimate, or NaN when empty.</returns>
    public double Quantile(double q)
    {
        if (q is < 0 or > 1 || double.IsNaN(q))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile must be in [0, 1], e.g. 0.95.");
        }

        return _buckets.Quantile(q, Count, Min, Max, _gamma);
    }

    /// <summary>Adds all values of another sketch with the same α (the result equals the sketch of the union).</summary>
    /// <param name="other">Sketch to merge in.</param>
    public void Merge(DDSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Math.Abs(other.RelativeAccuracy - RelativeAccuracy) > 1e-12)
        {
            throw new ArgumentException($"Cannot merge a sketch with α={other.RelativeAccuracy} into one with α={RelativeAccuracy}; use the same relative accuracy.", nameof(other));
        }

        if (other.Count == 0)
        {
            return;
        }

        _buckets.MergeFrom(in other._buckets);
        Min = Count == 0 ? other.Min : Math.Min(Min, other.Min);
        Max = Count == 0 ? other.Max : Math.Max(Max, other.Max);
        Count += other.Count;
    }

    /// <summary>Whether two sketches hold identical buckets (used to check merge = union).</summary>
    /// <param name="other">Other sketch.</param>
    /// <returns>True when counts, extremes and every bucket are equal.</returns>
    public bool HasSameBuckets(DDSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Count == other.Count && Min.Equals(other.Min) && Max.Equals(other.Max) && _buckets.SameBuckets(in other._buckets);
    }

    /// <summary>γ = (1+α)/(1−α), for callers holding <see cref="SketchBuckets"/> of this α.</summary>
    internal double Gamma => _gamma;

    internal void Write(BinaryWriter writer) => _buckets.Write(writer, Count, Min, Max);

    internal void Read(BinaryReader reader) => (Count, Min, Max) = _buckets.Read(reader);
}
