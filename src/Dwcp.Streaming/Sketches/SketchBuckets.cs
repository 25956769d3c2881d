namespace Dwcp.Streaming.Sketches;

/// <summary>
/// The bucket part of a DDSketch (positive and negative stores, zero count), without count/min/max: held inline by
/// <see cref="DDSketch"/> and by the window engine's metric cells (which keep count/min/max themselves), so both use
/// the same bucket and quantile code. A mutable struct: keep it in a field or array slot and use it by reference.
/// </summary>
internal struct SketchBuckets
{
    private BucketStore _positive; // mutable structs held inline: never readonly, never copied
    private BucketStore _negative;
    private long _zeroCount;

    public SketchBuckets(int maxBuckets)
    {
        _positive = new BucketStore(maxBuckets);
        _negative = new BucketStore(maxBuckets);
    }

    /// <summary>Whether buckets were collapsed.</summary>
    public readonly bool IsCollapsed => _positive.Collapsed || _negative.Collapsed;

    /// <summary>Bytes of the stores' arrays.</summary>
    public readonly long AllocatedBytes => _positive.AllocatedBytes + _negative.AllocatedBytes;

    /// <summary>Adds a value whose index was computed by <see cref="DDSketch.IndexOf"/>.</summary>
    public void Add(double value, int index)
    {
        if (value >= DDSketch.MinIndexableValue)
        {
            _positive.Add(index);
        }
        else if (value <= -DDSketch.MinIndexableValue)
        {
            _negative.Add(index);
        }
        else
        {
            _zeroCount++;
        }
    }

    /// <summary>Reads the bucket <paramref name="value"/> would go to (see <see cref="BucketStore.Peek"/>).</summary>
    public readonly long Peek(double value, int index) => value >= DDSketch.MinIndexableValue ? _positive.Peek(index)
        : value <= -DDSketch.MinIndexableValue ? _negative.Peek(index) : 0;

    /// <summary>Empties the buckets, keeping the arrays for reuse.</summary>
    public void Clear()
    {
        _positive.Clear();
        _negative.Clear();
        _zeroCount = 0;
    }

    /// <summary>Adds every bucket of <paramref name="other"/> (same α).</summary>
    public void MergeFrom(ref readonly SketchBuckets other)
    {
        _positive.MergeFrom(in other._positive);
        _negative.MergeFrom(in other._negative);
        _zeroCount += other._zeroCount;
    }

    /// <summary>The q-quantile estimate of the <paramref name="count"/> values added (rank ⌊q·(n−1)⌋), clamped to the
    /// exact extremes; NaN when empty.</summary>
    public readonly double Quantile(double q, long count, double min, double max, double gamma)
    {
        if (count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Floor(q * (count - 1));
        double estimate;
        if (rank < _negative.Total)
        {
            estimate = -ValueOf(_negative.IndexAtRank(rank, descending: true), gamma); // most negative first
        }
        else if (rank < _negative.Total + _zeroCount)
        {
            estimate = 0;
        }
        else
        {
            estimate = ValueOf(_positive.IndexAtRank(rank - _negative.Total - _zeroCount, descending: false), gamma);
        }

        return Math.Clamp(estimate, min, max);
    }

    /// <summary>Whether both hold the same buckets.</summary>
    public readonly bool SameBuckets(ref readonly SketchBuckets other) =>
        _zeroCount == other._zeroCount && SameStore(in _positive, in other._positive) && SameStore(in _negative, in other._negative);

    /// <summary>Writes the sketch in the checkpoint format: count, min, max (NaN when empty), zero count, stores.</summary>
    public readonly void Write(BinaryWriter writer, long count, double min, double max)
    {
        writer.Write(count);
        writer.Write(count == 0 ? double.NaN : min);
        writer.Write(count == 0 ? double.NaN : max);
        writer.Write(_zeroCount);
        _positive.Write(writer);
        _negative.Write(writer);
    }

    /// <summary>Reads what <see cref="Write"/> wrote; returns the count, min and max stored with the buckets.</summary>
    public (long Count, double Min, double Max) Read(BinaryReader reader)
    {
        var count = reader.ReadInt64();
        var min = reader.ReadDouble();
        var max = reader.ReadDouble();
        _zeroCount = reader.ReadInt64();
        _positive.Read(reader);
        _negative.Read(reader);
        return (count, min, max);
    }

    private static bool SameStore(in BucketStore a, in BucketStore b) => a.Total == b.Total && a.Entries().SequenceEqual(b.Entries());

    private static double ValueOf(int index, double gamma) => 2 * Math.Pow(gamma, index) / (gamma + 1);
}
