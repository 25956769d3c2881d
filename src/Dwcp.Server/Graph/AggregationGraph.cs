using System.Text.Json;
using Dwcp.Streaming;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Graph;

/// <summary>
/// Custom aggregations over GraphQL: the query fields <c>customAggregations</c> (definitions) and <c>streamAggregations</c>
/// (their values in open and closed windows), and the mutations <c>createCustomAggregation</c> and
/// <c>removeCustomAggregation</c>. Stored closed-window values are <c>streamAggregationRollups</c>.
/// </summary>
public static class AggregationGraph
{
    /// <summary>Adds the query fields.</summary>
    /// <param name="query">The root query.</param>
    public static void AddAggregationFields(this ObjectGraphType query)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<CustomAggregationType>>>>("customAggregations")
            .Description("The custom aggregations the engine computes: those of the configuration, then those created at run time.")
            .Resolve(ctx => Registry(ctx).List());

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StreamAggregationValueType>>>>("streamAggregations")
            .Description("Values of custom aggregations per window × series: OPEN windows are provisional, CLOSED ones final (the engine's recent history; stored ones are streamAggregationRollups). Ordered by window end, size and series.")
            .Argument<StringGraphType>("name", "Only this aggregation (default all).")
            .Argument<StreamWindowStateEnum>("state", a => a.DefaultValue = StreamWindowState.Closed)
            .AddSeriesFilters("Only windows of this size (1m, 5m, …).")
            .Resolve(ResolveValues);
    }

    /// <summary>Adds the mutations.</summary>
    /// <param name="mutation">The root mutation.</param>
    public static void AddAggregationMutations(this ObjectGraphType mutation)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        mutation.Field<NonNullGraphType<CustomAggregationType>>("createCustomAggregation")
            .Description("Creates a custom aggregation computed for every window (of its size) from now on and stored with the closed windows. It survives restarts. Errors name the bad argument.")
            .Argument<NonNullGraphType<StringGraphType>>("name", "Unique name, e.g. cost_per_transaction.")
            .Argument<NonNullGraphType<CustomAggregationKindEnum>>("type")
            .Argument<StringGraphType>("window", "Only windows of this size (e.g. 5m); default every configured size.")
            .Argument<StringGraphType>("eventType", "Only events of this type.")
            .Argument<StringGraphType>("metric", "The metric (weighted average, rate, percentile, threshold count).")
            .Argument<StringGraphType>("weightMetric", "Weighted average: the weight is this metric.")
            .Argument<StringGraphType>("weightExpression", "Weighted average: the weight is this expression over metrics, e.g. \"transaction_value * 2\".")
            .Argument<StringGraphType>("numerator", "Ratio: Σ numerator metric …")
            .Argument<StringGraphType>("denominator", "… / Σ denominator metric.")
            .Argument<StringGraphType>("dimension", "Distinct count: the dimension counted (default resource_id).")
            .Argument<FloatGraphType>("quantile", "Percentile: the level in (0, 1), e.g. 0.999.")
            .Argument<StringGraphType>("op", "Threshold count: >, >=, <, <=, == or != (default >).")
            .Argument<FloatGraphType>("threshold", "Threshold count: the threshold.")
            .Argument<IntGraphType>("bufferSize", "Bound on the aggregation's per-window state.")
            .Resolve(ctx =>
            {
                var description = new Dictionary<string, object?>
                {
                    ["name"] = ctx.GetArgument<string>("name"),
                    ["type"] = RollupWindowSink.TypeName(ctx.GetArgument<AggregationType>("type")),
                };
                Copy(ctx, description, "window", "window");
                Copy(ctx, description, "eventType", "event_type");
                Copy(ctx, description, "metric", "metric");
                Copy(ctx, description, "weightMetric", "weight_metric");
                Copy(ctx, description, "weightExpression", "weight_expression");
                Copy(ctx, description, "numerator", "numerator");
                Copy(ctx, description, "denominator", "denominator");
                Copy(ctx, description, "dimension", "dimension");
                Copy(ctx, description, "op", "op");
                if (ctx.GetArgument<double?>("quantile") is { } q)
                {
                    description["quantile"] = q;
                }

                if (ctx.GetArgument<double?>("threshold") is { } t)
                {
                    description["threshold"] = t;
                }

                if (ctx.GetArgument<int?>("bufferSize") is { } b)
                {
                    description["buffer_size"] = b;
                }

                try
                {
                    return Registry(ctx).Create(JsonSerializer.Serialize(description));
                }
                catch (FormatException ex)
                {
                    throw StreamSelection.Invalid(ex.Message);
                }
            });

        mutation.Field<NonNullGraphType<BooleanGraphType>>("removeCustomAggregation")
            .Description("Removes a custom aggregation created at run time; false when none has the name. One of the configuration is an error (remove it there).")
            .Argument<NonNullGraphType<StringGraphType>>("name")
            .Resolve(ctx =>
            {
                try
                {
                    return Registry(ctx).Remove(ctx.GetArgument<string>("name"));
                }
                catch (InvalidOperationException ex)
                {
                    throw StreamSelection.Invalid(ex.Message);
                }
            });
    }

    private static void Copy(IResolveFieldContext ctx, Dictionary<string, object?> into, string argument, string key)
    {
        if (ctx.GetArgument<string?>(argument) is { } value)
        {
            into[key] = value;
        }
    }

    private static CustomAggregationRegistry Registry(IResolveFieldContext ctx) =>
        ctx.RequestServices?.GetService<CustomAggregationRegistry>()
        ?? throw new ExecutionError("The real-time engine is not running in this server, so there are no custom aggregations. Start it with `dwcp serve`.") { Code = "STREAMING_UNAVAILABLE" };

    private static List<StreamAggregationValue> ResolveValues(IResolveFieldContext ctx)
    {
        var engine = StreamGraph.Engine(ctx);
        var scope = StreamGraph.Scope(ctx);
        TimeSpan? size = null;
        if (ctx.GetArgument<string?>("windowSize") is { } sizeText)
        {
            size = StreamFormat.ParseSize(sizeText) ?? throw StreamSelection.Invalid($"windowSize '{sizeText}' is not a length; write e.g. 1m, 5m, 30s, 1h or 00:15:00.");
        }

        var dimensions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (argument, dimension) in new[] { ("provider", "provider"), ("region", "region"), ("service", "service"), ("account", "account"), ("resourceId", "resource_id") })
        {
            if (ctx.GetArgument<string?>(argument) is { } value)
            {
                dimensions[dimension] = value;
            }
        }

        var filter = new WindowQuery { WindowSize = size, EventType = ctx.GetArgument<string?>("eventType"), Dimensions = dimensions.Count > 0 ? dimensions : null };
        var windows = ctx.GetArgument<StreamWindowState>("state") == StreamWindowState.Open ? engine.QueryOpenWindows(filter) : engine.QueryClosedWindows(filter);
        var name = ctx.GetArgument<string?>("name");
        var values = new List<StreamAggregationValue>();
        foreach (var w in windows)
        {
            if (!StreamSelection.VisibleIn(scope, w.Series))
            {
                continue;
            }

            foreach (var c in w.Custom)
            {
                if (name is null || string.Equals(name, c.Name, StringComparison.Ordinal))
                {
                    values.Add(new StreamAggregationValue(c, w));
                }
            }
        }

        return values;
    }
}

/// <summary>A custom aggregation's value in one window × series.</summary>
/// <param name="Value">The value.</param>
/// <param name="Window">The window it belongs to.</param>
public sealed record StreamAggregationValue(CustomAggregateValue Value, WindowResult Window);

/// <summary>GraphQL enum of the custom aggregation kinds.</summary>
public sealed class CustomAggregationKindEnum : EnumerationGraphType<AggregationType>
{
    /// <summary>Creates the type.</summary>
    public CustomAggregationKindEnum()
    {
        Name = "CustomAggregationKind";
        Description = "WEIGHTED_AVERAGE Σ(w·x)/Σw; RATE Σx (or events) per second of window; DISTINCT_COUNT HyperLogLog of a dimension; RATIO Σnumerator/Σdenominator; PERCENTILE DDSketch quantile at any level; THRESHOLD_COUNT events whose metric compares true.";
    }
}

/// <summary>GraphQL type <c>CustomAggregation</c>: a registered definition.</summary>
public sealed class CustomAggregationType : ObjectGraphType<RegisteredAggregation>
{
    /// <summary>Creates the type.</summary>
    public CustomAggregationType()
    {
        Name = "CustomAggregation";
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<CustomAggregationKindEnum>>("type").Resolve(c => c.Source.Config.Type);
        Field<StringGraphType>("window").Description("Window size it applies to; null for every configured size.")
            .Resolve(c => c.Source.Config.WindowSize is { } s ? StreamFormat.Size(s) : null);
        Field<NonNullGraphType<StringGraphType>>("source").Description("config (analytics.streaming.aggregations) or api (created at run time).")
            .Resolve(c => c.Source.Source == AggregationSource.Config ? "config" : "api");
        Field<NonNullGraphType<StringGraphType>>("definition").Description("The JSON description, as POST /api/v1/aggregations takes it.").Resolve(c => c.Source.Definition);
    }
}

/// <summary>GraphQL type <c>StreamAggregationValue</c>.</summary>
public sealed class StreamAggregationValueType : ObjectGraphType<StreamAggregationValue>
{
    /// <summary>Creates the type.</summary>
    public StreamAggregationValueType()
    {
        Name = "StreamAggregationValue";
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Value.Name);
        Field<NonNullGraphType<CustomAggregationKindEnum>>("type").Resolve(c => c.Source.Value.Type);
        Field<FloatGraphType>("value").Description("Null when undefined (e.g. a ratio over a zero denominator).")
            .Resolve(c => double.IsFinite(c.Source.Value.Value) ? c.Source.Value.Value : null);
        Field<NonNullGraphType<BooleanGraphType>>("partial").Description("True when the aggregation was created after this window had already received events.").Resolve(c => c.Source.Value.Partial);
        Field<NonNullGraphType<BooleanGraphType>>("final").Description("True for a closed window, false for a provisional open one.").Resolve(c => c.Source.Window.IsFinal);
        Field<NonNullGraphType<StringGraphType>>("windowStart").Resolve(c => StreamFormat.Time(c.Source.Window.Start));
        Field<NonNullGraphType<StringGraphType>>("windowEnd").Resolve(c => StreamFormat.Time(c.Source.Window.End));
        Field<NonNullGraphType<StringGraphType>>("windowSize").Resolve(c => StreamFormat.Size(c.Source.Window.Size));
        Field<NonNullGraphType<StringGraphType>>("eventType").Resolve(c => c.Source.Window.Series.EventType);
        Field<NonNullGraphType<StringGraphType>>("resourceId").Resolve(c => c.Source.Window.Series.ResourceId);
        Field<NonNullGraphType<StringGraphType>>("provider").Resolve(c => c.Source.Window.Series.Provider);
        Field<NonNullGraphType<StringGraphType>>("region").Resolve(c => c.Source.Window.Series.Region);
        Field<NonNullGraphType<StringGraphType>>("service").Resolve(c => c.Source.Window.Series.Service);
        Field<NonNullGraphType<StringGraphType>>("account").Resolve(c => c.Source.Window.Series.Account);
        Field<NonNullGraphType<StringGraphType>>("tags").Resolve(c => c.Source.Window.Series.Tags);
        Field<NonNullGraphType<LongGraphType>>("windowEventCount").Description("All events of the window × series.").Resolve(c => c.Source.Window.EventCount);
    }
}
