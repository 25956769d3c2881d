namespace Dwcp.Streaming.Sketches;

/// <summary>Merging bucket stores (pane merges when windows close or are queried).</summary>
internal partial struct BucketStore
{
    /// <summary>Adds every bucket of <paramref name="other"/>, highest index first (so collapsing, if any, folds the
    /// lowest); allocation-free once this store has grown to the merged range.</summary>
    public void MergeFrom(in BucketStore other)
    {
        if (other.Total > 0)
        {
            if (other.IsSparse)
            {
                if (IsSparse)
                {
                    // Room for the union at once (at most SparseLimit): closing windows merges thousands of small
                    // stores, and growing 4 → 8 → 16 → 32 entry by entry was 2–3% of the server's CPU.
                    ReserveSparse(Math.Min(SparseLimit, _sparseCount + other._sparseCount));
                }

                for (var k = other._sparseCount - 1; k >= 0; k--)
                {
                    Add(other._sparseIndex[k], other._sparseCounts[k]);
                }
            }
            else if (!TryMergeDense(in other))
            {
                for (var i = other.MaxIndex; i >= other.MinIndex; i--)
                {
                    var c = other._counts[i - other._offset];
                    if (c != 0)
                    {
                        Add(i, c);
                    }
                }
            }
        }

        Collapsed |= other.Collapsed;
    }

    /// <summary>Merge of a dense store without going bucket by bucket through <see cref="Add"/> (closing windows merges
    /// every pane series' stores): into an empty store its range is copied, into a dense one whose union with it needs
    /// no collapse the counts are added over the range. The buckets are those of the bucket-by-bucket merge (the
    /// other store's MinIndex and MaxIndex hold counts, so the extremes are too); only the representation may differ
    /// (dense where that merge could have stayed sparse), which no result depends on.</summary>
    private bool TryMergeDense(in BucketStore other)
    {
        var span = other.MaxIndex - other.MinIndex + 1;
        if (Total == 0)
        {
            if (_counts.Length < span)
            {
                _counts = new long[Math.Min(_maxBuckets, Math.Max(64, span * 2))];
            }

            _dense = true;
            _sparseCount = 0;
            _anchored = false;
            _offset = other.MinIndex - ((_counts.Length - span) / 2);
            Array.Copy(other._counts, other.MinIndex - other._offset, _counts, other.MinIndex - _offset, span);
            MinIndex = other.MinIndex;
            MaxIndex = other.MaxIndex;
            Total = other.Total;
            return true;
        }

        var newMin = Math.Min(MinIndex, other.MinIndex);
        var newMax = Math.Max(MaxIndex, other.MaxIndex);
        if (IsSparse || (long)newMax - newMin + 1 > _maxBuckets)
        {
            return false;
        }

        EnsureRange(newMin, newMax);
        MinIndex = newMin;
        MaxIndex = newMax;
        var into = _counts.AsSpan(other.MinIndex - _offset, span);
        var from = other._counts.AsSpan(other.MinIndex - other._offset, span);
        for (var i = 0; i < into.Length; i++)
        {
            into[i] += from[i];
        }

        Total += other.Total;
        return true;
    }

    private void ReserveSparse(int capacity)
    {
        if (_sparseIndex.Length < capacity)
        {
            capacity = Math.Max(4, capacity);
            Array.Resize(ref _sparseIndex, capacity);
            Array.Resize(ref _sparseCounts, capacity);
        }
    }
}
