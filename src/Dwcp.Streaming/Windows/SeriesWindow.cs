using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Windows;

/// <summary>Series key with its precomputed hash, as a dictionary key.</summary>
internal readonly struct HashedKey(SeriesKey key, ulong hash) : IEquatable<HashedKey>
{
    public SeriesKey Key { get; } = key;

    public ulong Hash { get; } = hash;

    public bool Equals(HashedKey other) => Hash == other.Hash && Key.Equals(other.Key);

    public override bool Equals(object? obj) => obj is HashedKey other && Equals(other);

    public override int GetHashCode() => (int)Hash ^ (int)(Hash >> 32);
}

/// <summary>Running aggregates of one metric in one window × series: a slot of <see cref="SeriesWindow"/>'s cell array
/// (struct of the series' arrays: a series' cells lie side by side, with their sketch buckets' headers inline, so an
/// event's metric updates walk one contiguous block instead of chasing a cell and a sketch object per metric). A
/// mutable struct: use it by reference.</summary>
internal struct MetricCell
{
    public long Count;
    public double Sum;
    public double Min;
    public double Max;
    public double Last;
    public long LastTicks;
    public SketchBuckets Sketch; // count/min/max are the cell's (a DDSketch's own are the same values)

    public MetricCell(int maxBuckets)
    {
        Sketch = new SketchBuckets(maxBuckets);
        Min = double.PositiveInfinity;
        Max = double.NegativeInfinity;
        LastTicks = long.MinValue;
    }

    public void Reset()
    {
        Count = 0;
        Sum = 0;
        Min = double.PositiveInfinity;
        Max = double.NegativeInfinity;
        Last = 0;
        LastTicks = long.MinValue;
        Sketch.Clear();
    }

    public void Add(double value, int sketchIndex, long ticks)
    {
        Count++;
        Sum += value;
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        if (ticks >= LastTicks)
        {
            LastTicks = ticks;
            Last = value;
        }

        Sketch.Add(value, sketchIndex);
    }

    /// <summary>Adds another cell's values (a later pane, or a window's late events, which were all accepted after the
    /// pane's events of the same event time, so "last" keeps ties from <paramref name="other"/>).</summary>
    public void MergeFrom(ref readonly MetricCell other)
    {
        if (other.Count == 0)
        {
            return;
        }

        Count += other.Count;
        Sum += other.Sum;
        if (other.Min < Min)
        {
            Min = other.Min;
        }

        if (other.Max > Max)
        {
            Max = other.Max;
        }

        if (other.LastTicks >= LastTicks)
        {
            LastTicks = other.LastTicks;
            Last = other.Last;
        }

        Sketch.MergeFrom(in other.Sketch);
    }

    /// <summary>The cell's aggregates; <paramref name="gamma"/> is the sketch's γ (<see cref="DDSketch.Gamma"/>).</summary>
    public readonly MetricAggregate ToResult(string name, double gamma) => new(name, Count, Sum, Min, Max, Sum / Count, Last,
        new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + LastTicks, TimeSpan.Zero),
        Sketch.Quantile(0.50, Count, Min, Max, gamma), Sketch.Quantile(0.95, Count, Min, Max, gamma), Sketch.Quantile(0.99, Count, Min, Max, gamma));

    /// <summary>Checkpoint form: count, sum, min, max, last, last ticks, then the sketch as <see cref="DDSketch"/> wrote it
    /// (its count, min and max are the cell's).</summary>
    public readonly void Write(BinaryWriter writer)
    {
        writer.Write(Count);
        writer.Write(Sum);
        writer.Write(Min);
        writer.Write(Max);
        writer.Write(Last);
        writer.Write(LastTicks);
        Sketch.Write(writer, Count, Min, Max);
    }

    public void Read(BinaryReader reader)
    {
        Count = reader.ReadInt64();
        Sum = reader.ReadDouble();
        Min = reader.ReadDouble();
        Max = reader.ReadDouble();
        Last = reader.ReadDouble();
        LastTicks = reader.ReadInt64();
        _ = Sketch.Read(reader); // the sketch's count/min/max repeat the cell's
    }
}

/// <summary>A custom aggregation's state in one series window.</summary>
internal sealed record CustomEntry(CustomAggregation Aggregation, CustomState State, bool Partial);

/// <summary>All aggregates of one series in one window: one <see cref="MetricCell"/> slot per metric, in first-seen order.</summary>
internal sealed class SeriesWindow(HashedKey key)
{
    private string[] _names = new string[16]; // room for 16 metrics: no growth (array copies) for typical events
    private MetricCell[] _cells = new MetricCell[16];
    private int _initialized; // slots constructed so far (kept, with their bucket arrays, across Recycle)

    public HashedKey Key { get; private set; } = key;

    /// <summary>Sum of the bucket counts read ahead by <see cref="TryPrefetch"/> (kept so the JIT does not remove the reads).</summary>
    public long Touched { get; private set; }

    public int MetricCount { get; private set; }

    public long EventCount { get; set; }

    public List<CustomEntry>? Custom { get; set; }

    /// <summary>Partition-wide arrival number of the series' first event here (orders series for the per-window limit).</summary>
    public long FirstArrival { get; set; } = long.MaxValue;

    public ReadOnlySpan<string> Names => _names.AsSpan(0, MetricCount);

    public ref readonly MetricCell CellAt(int i) => ref _cells[i];

    /// <summary>Most metrics of an event that take the fast path (<see cref="TryPrefetch"/>).</summary>
    public const int FastMetrics = 16;

    /// <summary>Adds one event's metrics (the event count is the caller's).</summary>
    public void AddMetrics(ReadOnlySpan<MetricValue> metrics, DDSketch mapper, long ticks, int maxBuckets)
    {
        Span<int> indices = stackalloc int[FastMetrics];
        if (TryPrefetch(metrics, mapper, indices))
        {
            AddPrefetched(metrics, indices, ticks);
            return;
        }

        for (var i = 0; i < metrics.Length; i++)
        {
            var value = metrics[i].Value;
            Cell(metrics[i].Name, i, maxBuckets).Add(value, mapper.IndexOf(value), ticks);
        }
    }

    /// <summary>The fast path's first half: when every metric name is already in its slot (events of a series usually
    /// carry the same names in the same order, compared by reference), computes the bucket indices into
    /// <paramref name="indices"/> and reads each bucket once, so that the cache misses of the event's cells overlap
    /// (and those of the next events, when a batch is prefetched ahead); the updates then find their lines in cache.
    /// False (nothing done) otherwise.</summary>
    public bool TryPrefetch(ReadOnlySpan<MetricValue> metrics, DDSketch mapper, Span<int> indices)
    {
        if (metrics.Length > MetricCount || metrics.Length > FastMetrics)
        {
            return false;
        }

        var names = _names.AsSpan(0, metrics.Length);
        for (var i = 0; i < names.Length; i++)
        {
            if (!ReferenceEquals(names[i], metrics[i].Name))
            {
                return false;
            }

            indices[i] = mapper.IndexOf(metrics[i].Value);
        }

        var cells = _cells.AsSpan(0, metrics.Length);
        var touched = Touched;
        for (var i = 0; i < cells.Length; i++)
        {
            touched += cells[i].Sketch.Peek(metrics[i].Value, indices[i]);
        }

        Touched = touched;
        return true;
    }

    /// <summary>The fast path's second half, after <see cref="TryPrefetch"/> returned true for these metrics (slots
    /// 0…n−1 never change names while the series is in use, so the check still holds).</summary>
    public void AddPrefetched(ReadOnlySpan<MetricValue> metrics, ReadOnlySpan<int> indices, long ticks)
    {
        var cells = _cells.AsSpan(0, metrics.Length);
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i].Add(metrics[i].Value, indices[i], ticks);
        }
    }

    public ref MetricCell Cell(string name, int hint, int maxBuckets)
    {
        if (hint < MetricCount && ReferenceEquals(_names[hint], name))
        {
            return ref _cells[hint];
        }

        for (var i = 0; i < MetricCount; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.Ordinal))
            {
                return ref _cells[i];
            }
        }

        return ref AddCell(name, maxBuckets);
    }

    /// <summary>Adds another series state of the same key (pane merge); cells are matched by name.</summary>
    public void MergeFrom(SeriesWindow other, int maxBuckets)
    {
        EventCount += other.EventCount;
        FirstArrival = Math.Min(FirstArrival, other.FirstArrival);
        var names = other.Names;
        for (var i = 0; i < names.Length; i++)
        {
            Cell(names[i], i, maxBuckets).MergeFrom(in other._cells[i]);
        }
    }

    /// <summary>Prepares a closed window's series for reuse by another key (cells are kept and reset lazily).</summary>
    public void Recycle(HashedKey key)
    {
        Key = key;
        Array.Clear(_names, 0, MetricCount);
        MetricCount = 0;
        EventCount = 0;
        FirstArrival = long.MaxValue;
        Custom = null;
    }

    /// <summary>Appends a cell read from a checkpoint (<see cref="MetricCell.Write"/>'s form).</summary>
    public void ReadCell(string name, BinaryReader reader, int maxBuckets) => AddCell(name, maxBuckets).Read(reader);

    /// <summary>A new empty slot for <paramref name="name"/> (a recycled slot keeps its bucket arrays).</summary>
    private ref MetricCell AddCell(string name, int maxBuckets)
    {
        if (MetricCount == _names.Length)
        {
            Array.Resize(ref _names, MetricCount * 2);
            Array.Resize(ref _cells, MetricCount * 2);
        }

        ref var cell = ref _cells[MetricCount];
        if (MetricCount < _initialized)
        {
            cell.Reset();
        }
        else
        {
            cell = new MetricCell(maxBuckets);
            _initialized++;
        }

        _names[MetricCount] = name;
        MetricCount++;
        return ref cell;
    }
}
