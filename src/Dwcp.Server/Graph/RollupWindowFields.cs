using GraphQL.Types;

namespace Dwcp.Server.Graph;

/// <summary>The window and series of a stored rollup row, as both rollup kinds read them.</summary>
/// <param name="Start">Window start.</param>
/// <param name="End">Window end.</param>
/// <param name="Size">Window length.</param>
/// <param name="Slide">Distance between window starts.</param>
/// <param name="EventType">Event type.</param>
/// <param name="ResourceId">Resource id.</param>
/// <param name="Provider">Provider.</param>
/// <param name="Region">Region.</param>
/// <param name="Service">Service.</param>
/// <param name="Account">Account.</param>
/// <param name="Tags">Grouped tags.</param>
internal readonly record struct RollupWindow(DateTimeOffset Start, DateTimeOffset End, TimeSpan Size, TimeSpan Slide,
    string EventType, string ResourceId, string Provider, string Region, string Service, string Account, string Tags);

/// <summary>The GraphQL fields of a rollup row's window and series, shared by <c>StreamRollup</c> and <c>StreamAggregationRollup</c>.</summary>
internal static class RollupWindowFields
{
    public static void AddWindowFields<T>(this ObjectGraphType<T> type, Func<T, RollupWindow> window)
    {
        type.Field<NonNullGraphType<StringGraphType>>("windowStart").Description("Window start, inclusive (ISO 8601, UTC).").Resolve(c => StreamFormat.Time(window(c.Source).Start));
        type.Field<NonNullGraphType<StringGraphType>>("windowEnd").Description("Window end, exclusive (ISO 8601, UTC).").Resolve(c => StreamFormat.Time(window(c.Source).End));
        type.Field<NonNullGraphType<FloatGraphType>>("windowSizeSeconds").Description("Window length in seconds.").Resolve(c => window(c.Source).Size.TotalSeconds);
        type.Field<NonNullGraphType<FloatGraphType>>("slideSeconds").Description("Distance between window starts in seconds (= windowSizeSeconds for tumbling windows).").Resolve(c => window(c.Source).Slide.TotalSeconds);
        type.Field<NonNullGraphType<StringGraphType>>("eventType").Resolve(c => window(c.Source).EventType);
        type.Field<NonNullGraphType<StringGraphType>>("resourceId").Resolve(c => window(c.Source).ResourceId);
        type.Field<NonNullGraphType<StringGraphType>>("provider").Resolve(c => window(c.Source).Provider);
        type.Field<NonNullGraphType<StringGraphType>>("region").Resolve(c => window(c.Source).Region);
        type.Field<NonNullGraphType<StringGraphType>>("service").Resolve(c => window(c.Source).Service);
        type.Field<NonNullGraphType<StringGraphType>>("account").Resolve(c => window(c.Source).Account);
        type.Field<NonNullGraphType<StringGraphType>>("tags").Description("Grouped tags as key=value pairs joined by ';'.").Resolve(c => window(c.Source).Tags);
    }
}
