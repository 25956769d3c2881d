namespace Dwcp.Streaming.Sketches;

/// <summary>
/// Bucket counts of a DDSketch. Starts sparse (sorted index/count pairs, up to 32 buckets, so the many small per-window
/// sketches stay small) and turns dense (one count per index over a contiguous range) beyond that. The range is at most
/// <c>maxBuckets</c> wide; when a new index would widen it further, the lowest buckets collapse into the lowest kept one.
/// </summary>
internal sealed class BucketStore
{
    private const int SparseLimit = 32;
    private readonly int _maxBuckets;
    private int[] _sparseIndex = [];
    private long[] _sparseCounts = [];
    private long[] _counts = []; // dense counts from _offset (kept across Clear for reuse)
    private bool _dense;
    private int _sparseCount;
    private int _offset; // dense: bucket index of _counts[0]

    public BucketStore(int maxBuckets) => _maxBuckets = maxBuckets;

    public long Total { get; private set; }

    public int MinIndex { get; private set; } = int.MaxValue;

    public int MaxIndex { get; private set; } = int.MinValue;

    /// <summary>Whether lowest buckets were ever collapsed (accuracy guarantee lost for the lowest values).</summary>
    public bool Collapsed { get; private set; }

    /// <summary>Bytes of the count arrays (dense 8 per bucket, sparse 12 per entry; both kept for reuse after Clear).</summary>
    public long AllocatedBytes => (8L * _counts.Length) + (12L * _sparseIndex.Length);

    private bool IsSparse => !_dense;

    /// <summary>Empties the store, keeping its arrays for reuse.</summary>
    public void Clear()
    {
        if (_dense && Total > 0)
        {
            Array.Clear(_counts, MinIndex - _offset, MaxIndex - MinIndex + 1);
        }

        _dense = false;
        _sparseCount = 0;
        Total = 0;
        MinIndex = int.MaxValue;
        MaxIndex = int.MinValue;
        Collapsed = false;
    }

    public void Add(int index, long count = 1)
    {
        if (IsSparse)
        {
            var newMin = Math.Min(index, MinIndex);
            var newMax = Math.Max(index, MaxIndex);
            if ((long)newMax - newMin + 1 <= _maxBuckets && AddSparse(index, count))
            {
                MinIndex = newMin;
                MaxIndex = newMax;
                Total += count;
                return;
            }

            ToDense();
        }

        if (index < MinIndex || index > MaxIndex)
        {
            index = Extend(index);
        }

        _counts[index - _offset] += count;
        Total += count;
    }

    public long CountAt(int index)
    {
        if (index < MinIndex || index > MaxIndex)
        {
            return 0;
        }

        if (IsSparse)
        {
            var at = Array.BinarySearch(_sparseIndex, 0, _sparseCount, index);
            return at >= 0 ? _sparseCounts[at] : 0;
        }

        return _counts[index - _offset];
    }

    /// <summary>Index of the bucket holding the value of 0-based rank <paramref name="rank"/>, counting from the lowest
    /// index (or from the highest when <paramref name="descending"/>).</summary>
    public int IndexAtRank(long rank, bool descending)
    {
        long seen = 0;
        if (IsSparse)
        {
            for (var k = 0; k < _sparseCount; k++)
            {
                var i = descending ? _sparseCount - 1 - k : k;
                seen += _sparseCounts[i];
                if (seen > rank)
                {
                    return _sparseIndex[i];
                }
            }

            return descending ? MinIndex : MaxIndex;
        }

        if (descending)
        {
            for (var i = MaxIndex; i >= MinIndex; i--)
            {
                seen += _counts[i - _offset];
                if (seen > rank)
                {
                    return i;
                }
            }

            return MinIndex;
        }

        for (var i = MinIndex; i <= MaxIndex; i++)
        {
            seen += _counts[i - _offset];
            if (seen > rank)
            {
                return i;
            }
        }

        return MaxIndex;
    }

    public void MergeFrom(BucketStore other)
    {
        foreach (var (index, count) in other.Entries(descending: true))
        {
            Add(index, count);
        }

        Collapsed |= other.Collapsed;
    }

    /// <summary>Non-empty buckets (allocates an iterator; not for hot paths).</summary>
    public IEnumerable<(int Index, long Count)> Entries(bool descending = false)
    {
        if (Total == 0)
        {
            yield break;
        }

        if (IsSparse)
        {
            for (var k = 0; k < _sparseCount; k++)
            {
                var i = descending ? _sparseCount - 1 - k : k;
                yield return (_sparseIndex[i], _sparseCounts[i]);
            }

            yield break;
        }

        for (var k = 0; k <= MaxIndex - MinIndex; k++)
        {
            var i = descending ? MaxIndex - k : MinIndex + k;
            var c = _counts[i - _offset];
            if (c != 0)
            {
                yield return (i, c);
            }
        }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Collapsed);
        var entries = Entries().ToList();
        writer.Write(entries.Count);
        foreach (var (index, count) in entries)
        {
            writer.Write(index);
            writer.Write(count);
        }
    }

    public void Read(BinaryReader reader)
    {
        Collapsed |= reader.ReadBoolean();
        var n = reader.ReadInt32();
        for (var k = 0; k < n; k++)
        {
            var index = reader.ReadInt32();
            Add(index, reader.ReadInt64());
        }
    }

    private bool AddSparse(int index, long count)
    {
        var at = Array.BinarySearch(_sparseIndex, 0, _sparseCount, index);
        if (at >= 0)
        {
            _sparseCounts[at] += count;
            return true;
        }

        if (_sparseCount == SparseLimit)
        {
            return false;
        }

        at = ~at;
        if (_sparseCount == _sparseIndex.Length)
        {
            var capacity = Math.Max(4, _sparseCount * 2);
            Array.Resize(ref _sparseIndex, capacity);
            Array.Resize(ref _sparseCounts, capacity);
        }

        Array.Copy(_sparseIndex, at, _sparseIndex, at + 1, _sparseCount - at);
        Array.Copy(_sparseCounts, at, _sparseCounts, at + 1, _sparseCount - at);
        _sparseIndex[at] = index;
        _sparseCounts[at] = count;
        _sparseCount++;
        return true;
    }

    private void ToDense()
    {
        var indices = _sparseIndex;
        var counts = _sparseCounts;
        var n = _sparseCount;
        _dense = true;
        _sparseCount = 0;
        var total = Total;
        Total = 0;
        MinIndex = int.MaxValue;
        MaxIndex = int.MinValue;
        for (var k = n - 1; k >= 0; k--)
        {
            Add(indices[k], counts[k]); // highest first, so that collapsing (if any) folds the lowest
        }

        Total = total;
    }

    private int Extend(int index)
    {
        if (MinIndex > MaxIndex)
        {
            // First bucket of a dense store: reuse the array kept by Clear when there is one.
            if (_counts.Length == 0)
            {
                _counts = new long[16];
            }

            _offset = index - (_counts.Length / 2);
            MinIndex = MaxIndex = index;
            return index;
        }

        var newMin = Math.Min(index, MinIndex);
        var newMax = Math.Max(index, MaxIndex);
        if ((long)newMax - newMin + 1 > _maxBuckets)
        {
            var keepMin = newMax - _maxBuckets + 1;
            index = Math.Max(index, keepMin);
            long folded = 0;
            for (var i = MinIndex; i < keepMin && i <= MaxIndex; i++)
            {
                folded += _counts[i - _offset];
                _counts[i - _offset] = 0;
            }

            Collapsed = true;
            EnsureRange(keepMin, newMax);
            MinIndex = keepMin;
            MaxIndex = newMax;
            _counts[keepMin - _offset] += folded;
            return index;
        }

        EnsureRange(newMin, newMax);
        MinIndex = newMin;
        MaxIndex = newMax;
        return index;
    }

    private void EnsureRange(int newMin, int newMax)
    {
        if (newMin >= _offset && newMax < _offset + _counts.Length)
        {
            return;
        }

        var needed = newMax - newMin + 1;
        var length = Math.Min(Math.Max(needed * 2, 16), Math.Max(_maxBuckets, needed));
        var counts = new long[length];
        var newOffset = newMin - ((length - needed) / 2);
        if (MinIndex <= MaxIndex)
        {
            var from = Math.Max(MinIndex, newMin);
            var to = Math.Min(MaxIndex, newMax);
            if (from <= to)
            {
                Array.Copy(_counts, from - _offset, counts, from - newOffset, to - from + 1);
            }
        }

        _counts = counts;
        _offset = newOffset;
    }
}
