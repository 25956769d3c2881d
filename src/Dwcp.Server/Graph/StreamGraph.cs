using System.Globalization;
using Dwcp.Streaming;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Graph;

/// <summary>
/// Root subscription type: <c>streamMetrics</c> streams every closed window of the chosen metrics, final, as the
/// watermark passes it (over WebSocket, graphql-transport-ws; see docs/api.md).
/// </summary>
public sealed class DwcpSubscription : ObjectGraphType
{
    /// <summary>Creates the type.</summary>
    public DwcpSubscription()
    {
        Name = "Subscription";
        Description = "Live results of the real-time engine (WebSocket at /graphql, subprotocol graphql-transport-ws).";
        var field = Field<NonNullGraphType<StreamMetricType>>("streamMetrics")
            .Description("One item per selected metric of each closed (final) window of the chosen size and series, as the watermark passes the window's end.")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("metricNames", "Metrics to stream, e.g. [\"cpu_usage\"].");
        field.AddStreamFilters("Window size (1m, 5m, 15m, …); default the smallest configured tumbling size.");
        field.ResolveStream(ctx =>
        {
            var engine = StreamGraph.Engine(ctx);
            var selection = StreamSelection.From(ctx, engine, StreamGraph.Scope(ctx), defaultToSmallestWindow: true);
            return new StreamMetricsFeed(engine, selection, ctx.RequestServices!.GetRequiredService<StreamSubscriptionCounter>());
        });
        this.AddAnomalySubscriptions();
    }
}

/// <summary>Query fields over the real-time engine: <c>streamWindows</c>, <c>streamMetricNames</c>, <c>streamStats</c>.</summary>
public static class StreamGraph
{
    /// <summary>Adds the stream query fields to the root query type.</summary>
    /// <param name="query">The root query.</param>
    public static void AddStreamFields(this ObjectGraphType query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var windows = query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StreamMetricType>>>>("streamWindows")
            .Description("Window aggregates from the real-time engine: OPEN windows are provisional (they include every event accepted so far), CLOSED ones final. Ordered by window end, size and series.")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("metricNames", "Only these metrics (default all).")
            .Argument<StreamWindowStateEnum>("state", a => a.DefaultValue = StreamWindowState.Closed)
            .Argument<StringGraphType>("from", "Only windows ending after this time (ISO 8601).")
            .Argument<StringGraphType>("to", "Only windows starting before this time (ISO 8601).")
            .Argument<IntGraphType>("lastWindows", "Keep only the latest N windows of each metric × series × size.");
        windows.AddStreamFilters("Only windows of this size (1m, 5m, …); default all sizes.");
        windows.Resolve(ResolveWindows);

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("streamMetricNames")
            .Description("Metric names the engine holds in open windows or its closed-window history (of the smallest window size), sorted.")
            .Argument<StringGraphType>("eventType", "Only this event type.")
            .Resolve(ctx =>
            {
                var engine = Engine(ctx);
                var scope = Scope(ctx);
                var config = engine.Config;
                var filter = new WindowQuery
                {
                    EventType = ctx.GetArgument<string?>("eventType"),
                    WindowSize = config.WindowSizes.Count > 0 ? config.WindowSizes.Min() : config.SlidingWindows.Min(s => s.Size),
                };
                return engine.QueryOpenWindows(filter).Concat(engine.QueryClosedWindows(filter))
                    .Where(w => StreamSelection.VisibleIn(scope, w.Series))
                    .SelectMany(w => w.Metrics.Select(m => m.Metric))
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
            });

        query.Field<NonNullGraphType<StreamStatsType>>("streamStats")
            .Description("Ingest rate (between calls), counters, accept → queryable latency quantiles and the watermark of the real-time engine.")
            .Resolve(ctx =>
            {
                var engine = Engine(ctx);
                var services = ctx.RequestServices!;
                var metrics = engine.GetMetrics();
                var (rate, seconds) = services.GetRequiredService<StreamRateMeter>().Sample(metrics.Accepted);
                var h = metrics.AcceptToQueryableLatency;
                return new StreamStatsView
                {
                    IngestRate = rate,
                    IngestRateWindowSeconds = seconds,
                    Metrics = metrics,
                    LatencyP50Ms = HistogramQuantile.Milliseconds(h, 0.50),
                    LatencyP95Ms = HistogramQuantile.Milliseconds(h, 0.95),
                    LatencyP99Ms = HistogramQuantile.Milliseconds(h, 0.99),
                    ActiveSubscriptions = services.GetRequiredService<StreamSubscriptionCounter>().Active,
                    WindowSizes = [.. engine.Config.WindowSizes.Select(StreamFormat.Size)],
                };
            });
    }

    /// <summary>The engine of this server, or an error saying it is not running here.</summary>
    internal static RealtimeEngine Engine(IResolveFieldContext ctx) =>
        ctx.RequestServices?.GetService<RealtimeEngineHost>()?.Engine
        ?? throw new ExecutionError("The real-time engine is not running in this server, so there are no stream windows or metrics. Start the server with `dwcp serve` (it hosts the engine) and send events to POST /api/v1/events.")
        {
            Code = "STREAMING_UNAVAILABLE",
        };

    /// <summary>The caller's scope, from the server configuration (never from the request).</summary>
    internal static Dwcp.Core.Costs.CostScope Scope(IResolveFieldContext ctx) =>
        ctx.RequestServices!.GetRequiredService<ICallerScope>().Current;

    /// <summary>The filters shared by streamMetrics and streamWindows.</summary>
    internal static void AddStreamFilters<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field, string windowSizeHelp) => field
        .AddSeriesFilters(windowSizeHelp)
        .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("tags", "Only series with these grouped tags, as KEY=VALUE.")
        .Argument<StreamAggregateEnum>("valueOf", a => a.DefaultValue = StreamAggregate.Avg);

    /// <summary>The window-size and series filters of every stream field over the engine's windows (streamMetrics,
    /// streamWindows, streamAggregations).</summary>
    internal static FieldBuilder<TSource, TReturn> AddSeriesFilters<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field, string windowSizeHelp) => field
        .Argument<StringGraphType>("windowSize", windowSizeHelp)
        .Argument<StringGraphType>("eventType", "Only this event type.")
        .Argument<StringGraphType>("provider", "Only series of this provider.")
        .Argument<StringGraphType>("region", "Only series of this region.")
        .Argument<StringGraphType>("service", "Only series of this service.")
        .Argument<StringGraphType>("account", "Only series of this account.")
        .Argument<StringGraphType>("resourceId", "Only this resource (the engine must group by resource_id).");

    private static List<StreamMetricView> ResolveWindows(IResolveFieldContext ctx)
    {
        var engine = Engine(ctx);
        var selection = StreamSelection.From(ctx, engine, Scope(ctx), defaultToSmallestWindow: false);
        var from = Time(ctx, "from");
        var to = Time(ctx, "to");
        if (from is { } f && to is { } t && t <= f)
        {
            throw StreamSelection.Invalid($"to ({StreamFormat.Time(t)}) is not after from ({StreamFormat.Time(f)}); swap them or widen the range.");
        }

        var last = ctx.GetArgument<int?>("lastWindows");
        if (last is < 1)
        {
            throw StreamSelection.Invalid($"lastWindows is {last}; it must be at least 1 (or omitted for all windows).");
        }

        // Trends need the whole history of each key, so it is read unbounded and cut to the range afterwards.
        var book = new TrendBook();
        var views = new List<StreamMetricView>();
        var closed = engine.QueryClosedWindows(selection.Filter);
        if (ctx.GetArgument("state", StreamWindowState.Closed) == StreamWindowState.Closed)
        {
            foreach (var w in closed)
            {
                selection.AddViews(w, book, views);
            }
        }
        else
        {
            selection.Seed(book, closed);
            foreach (var w in engine.QueryOpenWindows(selection.Filter))
            {
                selection.AddViews(w, book, views);
            }
        }

        IEnumerable<StreamMetricView> kept = views.Where(v => (from is not { } a || v.Window.End > a) && (to is not { } b || v.Window.Start < b));
        if (last is { } n)
        {
            kept = kept.GroupBy(v => new TrendKey(v.Window.Size.Ticks, v.Window.Slide.Ticks, v.Window.Series, v.Name))
                .SelectMany(g => g.OrderBy(v => v.Window.End).TakeLast(n))
                .OrderBy(v => v.Window.End).ThenBy(v => v.Window.Size);
        }

        var result = kept.ToList();
        var max = ctx.RequestServices!.GetRequiredService<DwcpServerOptions>().Query.MaxResults;
        if (result.Count > max)
        {
            throw new ExecutionError($"streamWindows matched {result.Count:N0} metric windows, more than the limit of {max:N0} (api.max_results). Narrow it with metricNames, windowSize, from/to, a dimension filter or lastWindows.")
            {
                Code = "LIMIT_EXCEEDED",
            };
        }

        return result;
    }

    private static DateTimeOffset? Time(IResolveFieldContext ctx, string argument)
    {
        if (ctx.GetArgument<string?>(argument) is not { } text)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw StreamSelection.Invalid($"{argument} '{text}' is not an ISO 8601 time; write e.g. 2026-11-28T08:00:00Z.");
    }
}
