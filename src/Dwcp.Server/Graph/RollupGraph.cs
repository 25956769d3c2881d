using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Storage;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Graph;

/// <summary>
/// The query fields <c>streamRollups</c> and <c>streamAggregationRollups</c>: closed windows of the real-time engine as
/// stored rollup rows (<see cref="IRollupStore"/>: DuckDB or ClickHouse, whichever store the server uses). Every filter
/// and the caller's scope go into the store's query. See docs/api.md.
/// </summary>
public static class RollupGraph
{
    /// <summary>Adds <c>streamRollups</c> and <c>streamAggregationRollups</c> to the root query type.</summary>
    /// <param name="query">The root query.</param>
    public static void AddRollupFields(this ObjectGraphType query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rollups = query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StreamRollupType>>>>("streamRollups")
            .Description("Closed (final) windows as stored rollup rows, one per window × series × metric, ordered by window start, size, series and metric. Stored windows outlive the engine's in-memory history and a restart.")
            .Argument<StringGraphType>("metric", "Only this metric (exact name).");
        AddSelectionArguments(rollups);
        rollups.ResolveAsync(async ctx =>
        {
            var (selection, explicitLimit, max) = Selection(ctx, "streamRollups");
            var rows = await Store(ctx).QueryAsync(selection with { Metric = ctx.GetArgument<string?>("metric") }, ctx.CancellationToken);
            return Checked(rows, explicitLimit, max, "streamRollups", "metric");
        });

        var custom = query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StreamAggregationRollupType>>>>("streamAggregationRollups")
            .Description("Closed (final) windows' custom aggregations as stored rollup rows, one per window × series × aggregation, ordered by window start, size, series and name.")
            .Argument<StringGraphType>("name", "Only this custom aggregation (exact name).");
        AddSelectionArguments(custom);
        custom.ResolveAsync(async ctx =>
        {
            var (s, explicitLimit, max) = Selection(ctx, "streamAggregationRollups");
            var rows = await Store(ctx).QueryCustomAsync(
                new CustomRollupQuery
                {
                    From = s.From, To = s.To, WindowSize = s.WindowSize, EventType = s.EventType, ResourceId = s.ResourceId, Provider = s.Provider,
                    Region = s.Region, Service = s.Service, Account = s.Account, Accounts = s.Accounts, Tags = s.Tags, Limit = s.Limit,
                    Name = ctx.GetArgument<string?>("name"),
                },
                ctx.CancellationToken);
            return Checked(rows, explicitLimit, max, "streamAggregationRollups", "name");
        });
    }

    /// <summary>
    /// The filters of a request plus the caller's scope, as one store query. Without <c>limit</c> the query asks for one row
    /// more than api.max_results, so that a larger answer is refused (<see cref="Checked{T}"/>) rather than cut silently.
    /// </summary>
    internal static (RollupQuery Query, bool ExplicitLimit, int Max) Selection(IResolveFieldContext ctx, string field)
    {
        var services = ctx.RequestServices!;
        var max = services.GetRequiredService<DwcpServerOptions>().Query.MaxResults;
        var limit = ctx.GetArgument<int?>("limit");
        if (limit is < 1 || limit > max)
        {
            throw StreamSelection.Invalid($"limit is {limit}; use 1 to {max} (api.max_results).");
        }

        TimeSpan? size = null;
        if (ctx.GetArgument<string?>("windowSize") is { } sizeText)
        {
            size = StreamFormat.ParseSize(sizeText) ?? throw StreamSelection.Invalid($"windowSize '{sizeText}' is not a length; write e.g. 1m, 5m, 30s, 1h or 00:15:00.");
        }

        var from = Time(ctx, "from");
        var to = Time(ctx, "to");
        if (from is { } f && to is { } t && t <= f)
        {
            throw StreamSelection.Invalid($"to ({StreamFormat.Time(t)}) is not after from ({StreamFormat.Time(f)}); swap them or widen the range.");
        }

        var tags = new List<RollupTagFilter>();
        foreach (var pair in ctx.GetArgument<List<string>?>("tags") ?? [])
        {
            try
            {
                tags.Add(RollupTagFilter.Parse(pair));
            }
            catch (FormatException ex)
            {
                throw StreamSelection.Invalid($"{field}: {ex.Message}");
            }
        }

        var scope = StreamGraph.Scope(ctx);
        tags.AddRange(ScopeTags(scope));
        var query = new RollupQuery
        {
            From = from, To = to, WindowSize = size, EventType = ctx.GetArgument<string?>("eventType"),
            ResourceId = ctx.GetArgument<string?>("resourceId"), Provider = ctx.GetArgument<string?>("provider"), Region = ctx.GetArgument<string?>("region"),
            Service = ctx.GetArgument<string?>("service"), Account = ctx.GetArgument<string?>("account"),
            Accounts = scope.BillingAccounts, Tags = tags, Limit = limit ?? (max == int.MaxValue ? max : max + 1),
        };
        return (query, limit is not null, max);
    }

    /// <summary>The caller's restricted tags as store tag filters: a row must hold an allowed value of each.</summary>
    internal static IEnumerable<RollupTagFilter> ScopeTags(CostScope scope) =>
        scope.TagValues.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new RollupTagFilter(kv.Key, [.. kv.Value.Order(StringComparer.Ordinal)]));

    /// <summary>The rows, or LIMIT_EXCEEDED when no limit was given and more than api.max_results rows match.</summary>
    internal static List<T> Checked<T>(IReadOnlyList<T> rows, bool explicitLimit, int max, string field, string keyArgument)
    {
        if (!explicitLimit && rows.Count > max)
        {
            throw new ExecutionError(
                $"{field} matches more than {max.ToString("N0", CultureInfo.InvariantCulture)} rows (api.max_results). Narrow it with from/to, {keyArgument}, eventType, windowSize or a dimension filter, or pass limit to take the first rows in order.")
            {
                Code = "LIMIT_EXCEEDED",
            };
        }

        return [.. rows];
    }

    private static void AddSelectionArguments<TSource, TReturn>(FieldBuilder<TSource, TReturn> field) => field
        .Argument<StringGraphType>("eventType", "Only this event type.")
        .Argument<StringGraphType>("windowSize", "Only windows of this length: 250ms, 30s, 1m, 5m, 1h or hh:mm:ss.")
        .Argument<StringGraphType>("from", "Only windows starting at or after this time (ISO 8601).")
        .Argument<StringGraphType>("to", "Only windows starting before this time (ISO 8601).")
        .Argument<StringGraphType>("resourceId", "Only this resource.")
        .Argument<StringGraphType>("provider", "Only this provider.")
        .Argument<StringGraphType>("region", "Only this region.")
        .Argument<StringGraphType>("service", "Only this service.")
        .Argument<StringGraphType>("account", "Only this account.")
        .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("tags", "Only series whose grouped tags hold each of these KEY=VALUE pairs.")
        .Argument<IntGraphType>("limit", "Most rows returned: the first ones in order (1 to api.max_results). Without it, more than api.max_results matching rows is LIMIT_EXCEEDED.");

    private static IRollupStore Store(IResolveFieldContext ctx) => ctx.RequestServices!.GetService<IRollupStore>()
        ?? throw new ExecutionError("This server has no rollup store, so closed windows are not stored.") { Code = "NOT_AVAILABLE" };

    private static DateTimeOffset? Time(IResolveFieldContext ctx, string argument) =>
        ctx.GetArgument<string?>(argument) is not { } text ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time
        : throw StreamSelection.Invalid($"{argument} '{text}' is not an ISO 8601 time; write e.g. 2026-11-28T08:00:00Z.");
}

/// <summary>GraphQL type <c>StreamRollup</c>: one stored rollup row.</summary>
public sealed class StreamRollupType : ObjectGraphType<WindowRollup>
{
    /// <summary>Creates the type.</summary>
    public StreamRollupType()
    {
        Name = "StreamRollup";
        Description = "The final aggregates of one metric in one closed window of one series, as stored. Dimensions the engine does not group on are empty.";
        this.AddWindowFields(r => new RollupWindow(r.WindowStart, r.WindowEnd, r.WindowSize, r.Slide, r.EventType, r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags));
        Field<NonNullGraphType<StringGraphType>>("metric").Resolve(c => c.Source.Metric);
        Field<NonNullGraphType<LongGraphType>>("eventCount").Description("Events of the window × series (with or without this metric).").Resolve(c => c.Source.EventCount);
        Field<NonNullGraphType<LongGraphType>>("count").Description("Events carrying the metric.").Resolve(c => c.Source.Count);
        Field<NonNullGraphType<FloatGraphType>>("sum").Resolve(c => c.Source.Sum);
        Field<NonNullGraphType<FloatGraphType>>("min").Resolve(c => c.Source.Min);
        Field<NonNullGraphType<FloatGraphType>>("max").Resolve(c => c.Source.Max);
        Field<NonNullGraphType<FloatGraphType>>("avg").Description("sum / count.").Resolve(c => c.Source.Average);
        Field<NonNullGraphType<FloatGraphType>>("last").Description("Value of the latest event by event time.").Resolve(c => c.Source.Last);
        Field<NonNullGraphType<StringGraphType>>("lastTimestamp").Description("Event time of last (ISO 8601, UTC).").Resolve(c => StreamFormat.Time(c.Source.LastTimestamp));
        Field<NonNullGraphType<FloatGraphType>>("p50").Description("DDSketch estimate (relative error ≤ the engine's α, 1% by default).").Resolve(c => c.Source.P50);
        Field<NonNullGraphType<FloatGraphType>>("p95").Resolve(c => c.Source.P95);
        Field<NonNullGraphType<FloatGraphType>>("p99").Resolve(c => c.Source.P99);
    }
}
