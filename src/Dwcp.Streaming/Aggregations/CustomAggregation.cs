using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming;

/// <summary>A registered custom aggregation (see <see cref="RealtimeEngine.CreateCustomAggregation(string, AggregationConfig)"/>).</summary>
public sealed class CustomAggregation
{
    private readonly Func<StreamEvent, double>? _weight;

    internal CustomAggregation(string name, AggregationConfig config, double sketchAccuracy, int sketchBuckets)
    {
        Name = name;
        Config = config;
        SketchAccuracy = sketchAccuracy;
        SketchBuckets = sketchBuckets;
        if (config.Type == AggregationType.WeightedAverage)
        {
            _weight = config.WeightFunc
                ?? (config.WeightExpression is not null ? Aggregations.MetricExpression.Compile(config.WeightExpression) : null)
                ?? (e => e.TryGetMetric(config.WeightMetric!, out var w) ? w : double.NaN);
        }
    }

    /// <summary>Unique name; appears in <see cref="CustomAggregateValue.Name"/>.</summary>
    public string Name { get; }

    /// <summary>Definition.</summary>
    public AggregationConfig Config { get; }

    internal double SketchAccuracy { get; }

    internal int SketchBuckets { get; }

    internal bool AppliesTo(long windowSizeTicks, string eventType) =>
        (Config.WindowSize is null || Config.WindowSize.Value.Ticks == windowSizeTicks)
        && (Config.EventType is null || string.Equals(Config.EventType, eventType, StringComparison.Ordinal));

    internal CustomState NewState() => Config.Type switch
    {
        AggregationType.WeightedAverage => new WeightedAverageState(this),
        AggregationType.Rate => new SumState(Config.Metric),
        AggregationType.DistinctCount => new DistinctState(Config.Dimension),
        AggregationType.Ratio => new RatioState(Config.Numerator!, Config.Denominator!),
        AggregationType.Percentile => new PercentileState(Config.Metric!, Config.Quantile, SketchAccuracy, SketchBuckets),
        AggregationType.ThresholdCount => new ThresholdState(Config.Metric!, Config.Operator, Config.Threshold),
        _ => throw new InvalidOperationException("Unknown aggregation type " + Config.Type),
    };

    internal double Weight(StreamEvent e) => _weight!(e);
}

/// <summary>State of one custom aggregation in one window × series.</summary>
internal abstract class CustomState
{
    public abstract void Add(StreamEvent e);

    public abstract double Value(double windowSeconds);

    public abstract void Write(BinaryWriter writer);

    public abstract void Read(BinaryReader reader);
}

internal sealed class WeightedAverageState(CustomAggregation owner) : CustomState
{
    private double _weighted;
    private double _weights;

    public override void Add(StreamEvent e)
    {
        if (!e.TryGetMetric(owner.Config.Metric!, out var value))
        {
            return;
        }

        var weight = owner.Weight(e);
        if (double.IsFinite(weight))
        {
            _weighted += weight * value;
            _weights += weight;
        }
    }

    public override double Value(double windowSeconds) => _weights == 0 ? double.NaN : _weighted / _weights;

    public override void Write(BinaryWriter writer)
    {
        writer.Write(_weighted);
        writer.Write(_weights);
    }

    public override void Read(BinaryReader reader)
    {
        _weighted = reader.ReadDouble();
        _weights = reader.ReadDouble();
    }
}

internal sealed class SumState(string? metric) : CustomState
{
    private double _sum;

    public override void Add(StreamEvent e)
    {
        if (metric is null)
        {
            _sum++;
        }
        else if (e.TryGetMetric(metric, out var value))
        {
            _sum += value;
        }
    }

    public override double Value(double windowSeconds) => _sum / windowSeconds;

    public override void Write(BinaryWriter writer) => writer.Write(_sum);

    public override void Read(BinaryReader reader) => _sum = reader.ReadDouble();
}

internal sealed class RatioState(string numerator, string denominator) : CustomState
{
    private double _top;
    private double _bottom;

    public override void Add(StreamEvent e)
    {
        if (e.TryGetMetric(numerator, out var a))
        {
            _top += a;
        }

        if (e.TryGetMetric(denominator, out var b))
        {
            _bottom += b;
        }
    }

    public override double Value(double windowSeconds) => _bottom == 0 ? double.NaN : _top / _bottom;

    public override void Write(BinaryWriter writer)
    {
        writer.Write(_top);
        writer.Write(_bottom);
    }

    public override void Read(BinaryReader reader)
    {
        _top = reader.ReadDouble();
        _bottom = reader.ReadDouble();
    }
}

internal sealed class DistinctState(string dimension) : CustomState
{
    private readonly HyperLogLog _hll = new();

    public override void Add(StreamEvent e)
    {
        var value = e.GetDimension(dimension);
        if (value.Length > 0)
        {
            _hll.Add(value);
        }
    }

    public override double Value(double windowSeconds) => Math.Round(_hll.Estimate());

    public override void Write(BinaryWriter writer) => _hll.Write(writer);

    public override void Read(BinaryReader reader) => _hll.Read(reader);
}

internal sealed class PercentileState(string metric, double quantile, double accuracy, int buckets) : CustomState
{
    private readonly DDSketch _sketch = new(accuracy, buckets);

    public override void Add(StreamEvent e)
    {
        if (e.TryGetMetric(metric, out var value))
        {
            _sketch.Add(value);
        }
    }

    public override double Value(double windowSeconds) => _sketch.Quantile(quantile);

    public override void Write(BinaryWriter writer) => _sketch.Write(writer);

    public override void Read(BinaryReader reader) => _sketch.Read(reader);
}

internal sealed class ThresholdState(string metric, ComparisonOperator op, double threshold) : CustomState
{
    private long _count;

    public override void Add(StreamEvent e)
    {
        if (!e.TryGetMetric(metric, out var v))
        {
            return;
        }

        var hit = op switch
        {
            ComparisonOperator.GreaterThan => v > threshold,
            ComparisonOperator.GreaterThanOrEqual => v >= threshold,
            ComparisonOperator.LessThan => v < threshold,
            ComparisonOperator.LessThanOrEqual => v <= threshold,
            ComparisonOperator.Equal => v == threshold,
            _ => v != threshold,
        };
        if (hit)
        {
            _count++;
        }
    }

    public override double Value(double windowSeconds) => _count;

    public override void Write(BinaryWriter writer) => writer.Write(_count);

    public override void Read(BinaryReader reader) => _count = reader.ReadInt64();
}
