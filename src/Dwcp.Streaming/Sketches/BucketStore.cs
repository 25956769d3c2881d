using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dwcp.Streaming.Sketches;

/// <summary>
/// Bucket counts of a DDSketch. Starts sparse (sorted index/count pairs, up to 32 buckets, so the many small per-window
/// sketches stay small) and turns dense (one count per index over a contiguous range) beyond that. The range is at most
/// <c>maxBuckets</c> wide; when a new index would widen it further, the lowest buckets collapse into the lowest kept one.
/// A struct held inline by its <see cref="DDSketch"/> (one pointer less to chase per added value); never copy it.
/// </summary>
internal partial struct BucketStore
{
    private const int SparseLimit = 32;
    private readonly int _maxBuckets;
    private int[] _sparseIndex;
    private long[] _sparseCounts;
    private long[] _counts; // dense counts from _offset (kept across Clear for reuse)
    private bool _dense;
    private int _sparseCount;
    private int _offset; // dense: bucket index of _counts[0]
    private bool _anchored; // ToDense placed _offset for the sparse range

    public BucketStore(int maxBuckets)
    {
        _maxBuckets = maxBuckets;
        _sparseIndex = [];
        _sparseCounts = [];
        _counts = [];
        MinIndex = int.MaxValue;
        MaxIndex = int.MinValue;
    }

    public long Total { get; private set; }

    public int MinIndex { get; private set; }

    public int MaxIndex { get; private set; }

    /// <summary>Whether lowest buckets were ever collapsed (accuracy guarantee lost for the lowest values).</summary>
    public bool Collapsed { get; private set; }

    /// <summary>Bytes of the count arrays (dense 8 per bucket, sparse 12 per entry; both kept for reuse after Clear).</summary>
    public readonly long AllocatedBytes => (8L * _counts.Length) + (12L * _sparseIndex.Length);

    private readonly bool IsSparse => !_dense;

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

        // Unchecked: every path that widens [MinIndex, MaxIndex] goes through EnsureRange (or an anchored array that
        // holds the index), so _offset ≤ index − … < _offset + _counts.Length here; skipping the bounds check saves a
        // load of the array's header, often a cache line of its own (SketchBucketStoreTests cover the array's edges).
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_counts), index - _offset) += count;
        Total += count;
    }

    /// <summary>The count at <paramref name="index"/> when the store is dense and holds it (else 0), read without a
    /// bounds check: a caller reads the buckets of an event's metrics first, so that their cache misses overlap, and
    /// adds to them afterwards.</summary>
    public readonly long Peek(int index) => _dense && index >= MinIndex && index <= MaxIndex
        ? Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_counts), index - _offset)
        : 0;

    public readonly long CountAt(int index)
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
    public readonly int IndexAtRank(long rank, bool descending)
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

    /// <summary>Non-empty buckets (allocates an iterator; not for hot paths).</summary>
    public readonly IEnumerable<(int Index, long Count)> Entries(bool descending = false)
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

    /// <summary>Writes the flag and the entries <see cref="Entries"/> yields, in its order, without allocating (a
    /// checkpoint writes every open sketch: a list per store was a quarter of a busy server's allocations).</summary>
    public readonly void Write(BinaryWriter writer)
    {
        writer.Write(Collapsed);
        if (Total == 0)
        {
            writer.Write(0);
            return;
        }

        if (IsSparse)
        {
            writer.Write(_sparseCount);
            for (var k = 0; k < _sparseCount; k++)
            {
                writer.Write(_sparseIndex[k]);
                writer.Write(_sparseCounts[k]);
            }

            return;
        }

        var nonEmpty = 0;
        for (var i = MinIndex; i <= MaxIndex; i++)
        {
            nonEmpty += _counts[i - _offset] != 0 ? 1 : 0;
        }

        writer.Write(nonEmpty);
        for (var i = MinIndex; i <= MaxIndex; i++)
        {
            var c = _counts[i - _offset];
            if (c != 0)
            {
                writer.Write(i);
                writer.Write(c);
            }
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

        for (var k = _sparseCount; k > at; k--)
        {
            // at most 32 entries: a loop beats two Array.Copy calls
            _sparseIndex[k] = _sparseIndex[k - 1];
            _sparseCounts[k] = _sparseCounts[k - 1];
        }

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
        if (n > 0)
        {
            // One array with room on both sides (4x the sparse range, at least 64 buckets): a store that turned dense
            // usually keeps widening, and each widening copies the counts. The array is kept by Clear, and a kept one
            // with room for twice the range is used again rather than replaced: a recycled cell's array then fits the
            // next series' range almost always, so a long-running engine stops allocating here.
            var span = (long)indices[n - 1] - indices[0] + 1;
            var length = (int)Math.Min(_maxBuckets, Math.Max(64, span * 4));
            if (_counts.Length < Math.Min(length, Math.Max(64, span * 2)))
            {
                _counts = new long[length];
            }

            _offset = (int)Math.Clamp(indices[0] - ((_counts.Length - span) / 2), int.MinValue, int.MaxValue);
            _anchored = true; // the first dense Add keeps this offset
        }

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
            var anchored = _anchored;
            _anchored = false;
            if (anchored && index >= _offset && index - _offset < _counts.Length)
            {
                MinIndex = MaxIndex = index;
                return index;
            }

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
