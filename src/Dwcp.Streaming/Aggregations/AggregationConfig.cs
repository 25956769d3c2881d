namespace Dwcp.Streaming;

/// <summary>Kinds of run-time custom aggregation.</summary>
public enum AggregationType
{
    /// <summary>Σ(weight·metric) / Σ weight over the window.</summary>
    WeightedAverage,

    /// <summary>Σ metric per second of window length (events per second when no metric is named).</summary>
    Rate,

    /// <summary>Approximate distinct count (HyperLogLog) of a dimension's values.</summary>
    DistinctCount,

    /// <summary>Σ numerator metric / Σ denominator metric.</summary>
    Ratio,

    /// <summary>Quantile of a metric at any level, from a DDSketch.</summary>
    Percentile,

    /// <summary>Number of events whose metric compares true against a threshold.</summary>
    ThresholdCount,
}

/// <summary>Comparison of a threshold count.</summary>
public enum ComparisonOperator
{
    /// <summary><c>&gt;</c></summary>
    GreaterThan,

    /// <summary><c>&gt;=</c></summary>
    GreaterThanOrEqual,

    /// <summary><c>&lt;</c></summary>
    LessThan,

    /// <summary><c>&lt;=</c></summary>
    LessThanOrEqual,

    /// <summary><c>==</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,
}

/// <summary>
/// Definition of a custom aggregation for <see cref="RealtimeEngine.CreateCustomAggregation(string, AggregationConfig)"/>; it is computed per window
/// × series alongside the built-in aggregates. Build it in code or from JSON with <see cref="AggregationJson.Parse(string)"/>.
/// Events that lack a needed metric are skipped by the aggregation.
/// </summary>
public sealed class AggregationConfig
{
    /// <summary>What to compute.</summary>
    public required AggregationType Type { get; init; }

    /// <summary>Window size it applies to (one of the configured tumbling or sliding sizes); null = every window.</summary>
    public TimeSpan? WindowSize { get; init; }

    /// <summary>Most series this aggregation tracks per window (memory bound); events of further series are counted in
    /// <see cref="EngineMetrics.CustomAggregationOverflow"/> and not aggregated. Default 100,000.</summary>
    public int BufferSize { get; init; } = 100_000;

    /// <summary>Only events of this type (null = all types).</summary>
    public string? EventType { get; init; }

    /// <summary>The aggregated metric (weighted average, rate, percentile, threshold count).</summary>
    public string? Metric { get; init; }

    /// <summary>Weighted average: weight from this metric.</summary>
    public string? WeightMetric { get; init; }

    /// <summary>Weighted average: weight from code (not serialisable).</summary>
    public Func<StreamEvent, double>? WeightFunc { get; init; }

    /// <summary>Weighted average: weight from an arithmetic expression over metric names, e.g. <c>usage * unit_price</c>.</summary>
    public string? WeightExpression { get; init; }

    /// <summary>Ratio: numerator metric.</summary>
    public string? Numerator { get; init; }

    /// <summary>Ratio: denominator metric.</summary>
    public string? Denominator { get; init; }

    /// <summary>Distinct count: dimension counted (<c>resource_id</c>, <c>account</c>, <c>tag:NAME</c>, …; default resource_id).</summary>
    public string Dimension { get; init; } = "resource_id";

    /// <summary>Percentile: level in [0, 1], e.g. 0.999.</summary>
    public double Quantile { get; init; } = 0.5;

    /// <summary>Threshold count: comparison.</summary>
    public ComparisonOperator Operator { get; init; } = ComparisonOperator.GreaterThan;

    /// <summary>Threshold count: value compared against.</summary>
    public double Threshold { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the missing or invalid field of aggregation <paramref name="name"/>.</summary>
    /// <param name="name">Aggregation name, for messages.</param>
    public void Validate(string name)
    {
        void Need(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException($"Custom aggregation '{name}' ({Type}): {message}");
            }
        }

        Need(BufferSize >= 1, "buffer_size must be at least 1.");
        switch (Type)
        {
            case AggregationType.WeightedAverage:
                Need(!string.IsNullOrEmpty(Metric), "set metric (the averaged value).");
                var weights = (WeightMetric is null ? 0 : 1) + (WeightFunc is null ? 0 : 1) + (WeightExpression is null ? 0 : 1);
                Need(weights == 1, "set exactly one of weight_metric, weight_expression or WeightFunc.");
                if (WeightExpression is not null)
                {
                    _ = Aggregations.MetricExpression.Compile(WeightExpression);
                }

                break;
            case AggregationType.Percentile:
                Need(!string.IsNullOrEmpty(Metric), "set metric.");
                Need(Quantile is >= 0 and <= 1, $"quantile is {Quantile}; use a level in [0, 1] such as 0.99.");
                break;
            case AggregationType.ThresholdCount:
                Need(!string.IsNullOrEmpty(Metric), "set metric.");
                Need(double.IsFinite(Threshold), "threshold must be a finite number.");
                break;
            case AggregationType.Ratio:
                Need(!string.IsNullOrEmpty(Numerator) && !string.IsNullOrEmpty(Denominator), "set numerator and denominator metrics.");
                break;
            case AggregationType.DistinctCount:
                Need(Windows.SeriesKeyBuilder.IsKnownDimension(Dimension) || Dimension is "event_id" or "event_type",
                    $"dimension '{Dimension}' is unknown; use resource_id, provider, region, service, account, event_type, event_id or tag:NAME.");
                break;
            case AggregationType.Rate:
                break;
            default:
                Need(false, "unknown type.");
                break;
        }
    }
}
