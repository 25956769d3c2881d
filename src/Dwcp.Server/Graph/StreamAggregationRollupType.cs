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
        this.AddWindowFields(r => new RollupWindow(r.WindowStart, r.WindowEnd, r.WindowSize, r.Slide, r.EventType, r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags));
        Field<NonNullGraphType<StringGraphType>>("name").Description("The custom aggregation's name.").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("type").Description("weighted_average, rate, distinct_count, ratio, percentile or threshold_count.").Resolve(c => c.Source.Type);
        Field<FloatGraphType>("value").Description("The value; null when undefined (a zero denominator or no weight).").Resolve(c => double.IsFinite(c.Source.Value) ? c.Source.Value : null);
        Field<NonNullGraphType<BooleanGraphType>>("partial").Description("True when the aggregation was created after the series' window had events: the value covers the events since.").Resolve(c => c.Source.Partial);
        Field<NonNullGraphType<LongGraphType>>("eventCount").Description("Events of the window × series (whether or not the aggregation used them).").Resolve(c => c.Source.EventCount);
    }
}
