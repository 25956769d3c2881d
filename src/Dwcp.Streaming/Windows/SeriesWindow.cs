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

/// <summary>Running aggregates of one metric in one window × series.</summary>
internal sealed class MetricCell(double accuracy, int maxBuckets)
{
    public long Count;
    public double Sum;
    public double Min = double.PositiveInfinity;
    public double Max = double.NegativeInfinity;
    public double Last;
    public long LastTicks = long.MinValue;
    public readonly DDSketch Sketch = new(accuracy, maxBuckets);

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

        Sketch.AddIndexed(value, sketchIndex);
    }

    /// <summary>Adds another cell's values (a later pane, or a window's late events, which were all accepted after the
    /// pane's events of the same event time, so "last" keeps ties from <paramref name="other"/>).</summary>
    public void MergeFrom(MetricCell other)
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

        Sketch.Merge(other.Sketch);
    }

    public MetricAggregate ToResult(string name) => new(name, Count, Sum, Min, Max, Sum / Count, Last,
        new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + LastTicks, TimeSpan.Zero),
        Sketch.Quantile(0.50), Sketch.Quantile(0.95), Sketch.Quantile(0.99));

    public void Write(BinaryWriter writer)
    {
        writer.Write(Count);
        writer.Write(Sum);
        writer.Write(Min);
        writer.Write(Max);
        writer.Write(Last);
        writer.Write(LastTicks);
        Sketch.Write(writer);
    }

    public void Read(BinaryReader reader)
    {
        Count = reader.ReadInt64();
        Sum = reader.ReadDouble();
        Min = reader.ReadDouble();
        Max = reader.ReadDouble();
        Last = reader.ReadDouble();
        LastTicks = reader.ReadInt64();
        Sketch.Read(reader);
    }
}

/// <summary>A custom aggregation's state in one series window.</summary>
internal sealed record CustomEntry(CustomAggregation Aggregation, CustomState State, bool Partial);

/// <summary>All aggregates of one series in one window.</summary>
internal sealed class SeriesWindow(HashedKey key)
{
    private string[] _names = new string[16]; // room for 16 metrics: no growth (array copies) for typical events
    private MetricCell[] _cells = new MetricCell[16];

    public HashedKey Key { get; private set; } = key;

    public int MetricCount { get; private set; }

    public long EventCount { get; set; }

    public List<CustomEntry>? Custom { get; set; }

    /// <summary>Partition-wide arrival number of the series' first event here (orders series for the per-window limit).</summary>
    public long FirstArrival { get; set; } = long.MaxValue;

    public ReadOnlySpan<string> Names => _names.AsSpan(0, MetricCount);

    public MetricCell CellAt(int i) => _cells[i];

    public MetricCell Cell(string name, int hint, double accuracy, int maxBuckets)
    {
        if (hint < MetricCount && ReferenceEquals(_names[hint], name))
        {
            return _cells[hint];
        }

        for (var i = 0; i < MetricCount; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.Ordinal))
            {
                return _cells[i];
            }
        }

        if (MetricCount < _cells.Length && _cells[MetricCount] is { } recycled)
        {
            recycled.Reset();
            _names[MetricCount] = name;
            return _cells[MetricCount++];
        }

        return AddCell(name, new MetricCell(accuracy, maxBuckets));
    }

    /// <summary>Adds another series state of the same key (pane merge); cells are matched by name.</summary>
    public void MergeFrom(SeriesWindow other, double accuracy, int maxBuckets)
    {
        EventCount += other.EventCount;
        FirstArrival = Math.Min(FirstArrival, other.FirstArrival);
        var names = other.Names;
        for (var i = 0; i < names.Length; i++)
        {
            Cell(names[i], i, accuracy, maxBuckets).MergeFrom(other._cells[i]);
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

    public MetricCell AddCell(string name, MetricCell cell)
    {
        if (MetricCount == _names.Length)
        {
            Array.Resize(ref _names, MetricCount * 2);
            Array.Resize(ref _cells, MetricCount * 2);
        }

        _names[MetricCount] = name;
        _cells[MetricCount] = cell;
        MetricCount++;
        return cell;
    }
}
