using Dwcp.Storage;
using GraphQL.Types;

namespace Dwcp.Server.Graph;

/// <summary>GraphQL type <c>StreamAggregationRollup</c>: one stored custom-aggregation row (<see cref="CustomRollup"/>).</summary>
public sealed class StreamAggregationRollupType : ObjectGraphType<CustomRollup>
{
    /// <summary>Creates the type.</summary>
    public StreamAggregationRollupType()
    {
        Name = "StreamAggregationRollup";
        Description = "The final value of one custom aggregation in one closed window of one series, as stored. Dimensions the engine does not group on are empty.";
        Field<NonNullGraphType<StringGraphType>>("windowStart").Description("Window start, inclusive (ISO 8601, UTC).").Resolve(c => StreamFormat.Time(c.Source.WindowStart));
        Field<NonNullGraphType<StringGraphType>>("windowEnd").Description("Window end, exclusive (ISO 8601, UTC).").Resolve(c => StreamFormat.Time(c.Source.WindowEnd));
        Field<NonNullGraphType<FloatGraphType>>("windowSizeSeconds").Description("Window length in seconds.").Resolve(c => c.Source.WindowSize.TotalSeconds);
        Field<NonNullGraphType<FloatGraphType>>("slideSeconds").Description("Distance between window starts in seconds (= windowSizeSeconds for tumbling windows).").Resolve(c => c.Source.Slide.TotalSeconds);
        Field<NonNullGraphType<StringGraphType>>("eventType").Resolve(c => c.Source.EventType);
        Field<NonNullGraphType<StringGraphType>>("resourceId").Resolve(c => c.Source.ResourceId);
        Field<NonNullGraphType<StringGraphType>>("provider").Resolve(c => c.Source.Provider);
        Field<NonNullGraphType<StringGraphType>>("region").Resolve(c => c.Source.Region);
        Field<NonNullGraphType<StringGraphType>>("service").Resolve(c => c.Source.Service);
        Field<NonNullGraphType<StringGraphType>>("account").Resolve(c => c.Source.Account);
        Field<NonNullGraphType<StringGraphType>>("tags").Description("Grouped tags as key=value pairs joined by ';'.").Resolve(c => c.Source.Tags);
        Field<NonNullGraphType<StringGraphType>>("name").Description("The custom aggregation's name.").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("type").Description("weighted_average, rate, distinct_count, ratio, percentile or threshold_count.").Resolve(c => c.Source.Type);
        Field<FloatGraphType>("value").Description("The value; null when undefined (a zero denominator or no weight).").Resolve(c => double.IsFinite(c.Source.Value) ? c.Source.Value : null);
        Field<NonNullGraphType<BooleanGraphType>>("partial").Description("True when the aggregation was created after the series' window had events: the value covers the events since.").Resolve(c => c.Source.Partial);
        Field<NonNullGraphType<LongGraphType>>("eventCount").Description("Events of the window × series (whether or not the aggregation used them).").Resolve(c => c.Source.EventCount);
    }
}
