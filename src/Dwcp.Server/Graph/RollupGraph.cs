using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Storage;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Graph;

/// <summary>
/// The query field <c>streamRollups</c>: closed windows of the real-time engine as stored rollup rows
/// (<see cref="IRollupStore"/>: DuckDB or ClickHouse, whichever store the server uses). See docs/api.md.
/// </summary>
public static class RollupGraph
{
    /// <summary>Rows read from the store per request when dimension filters or the caller's scope must be applied here.</summary>
    internal const int PageRows = 10_000;

    /// <summary>Most rows examined for one call before it is refused as too broad.</summary>
    internal const int MaxScannedRows = 1_000_000;

    /// <summary>Adds <c>streamRollups</c> to the root query type.</summary>
    /// <param name="query">The root query.</param>
    public static void AddRollupFields(this ObjectGraphType query)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StreamRollupType>>>>("streamRollups")
            .Description("Closed (final) windows as stored rollup rows, one per window × series × metric, ordered by window start, size, series and metric. Stored windows outlive the engine's in-memory history and a restart.")
            .Argument<StringGraphType>("metric", "Only this metric (exact name).")
            .Argument<StringGraphType>("eventType", "Only this event type.")
            .Argument<StringGraphType>("windowSize", "Only windows of this length: 250ms, 30s, 1m, 5m, 1h or hh:mm:ss.")
            .Argument<StringGraphType>("from", "Only windows starting at or after this time (ISO 8601).")
            .Argument<StringGraphType>("to", "Only windows starting before this time (ISO 8601).")
            .Argument<StringGraphType>("resourceId", "Only this resource.")
            .Argument<StringGraphType>("provider", "Only this provider.")
            .Argument<StringGraphType>("region", "Only this region.")
            .Argument<StringGraphType>("service", "Only this service.")
            .Argument<StringGraphType>("account", "Only this account.")
            .Argument<IntGraphType>("limit", "Most rows returned: the first ones in order (default and maximum api.max_results).")
            .ResolveAsync(async ctx => await ResolveAsync(ctx));
    }

    private static async Task<List<WindowRollup>> ResolveAsync(IResolveFieldContext ctx)
    {
        var services = ctx.RequestServices!;
        var store = services.GetService<IRollupStore>()
            ?? throw new ExecutionError("This server has no rollup store, so closed windows are not stored.") { Code = "NOT_AVAILABLE" };
        var max = services.GetRequiredService<DwcpServerOptions>().Query.MaxResults;
        var limit = ctx.GetArgument<int?>("limit") ?? max;
        if (limit < 1 || limit > max)
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

        var filter = new RowFilter(
            ctx.GetArgument<string?>("resourceId"), ctx.GetArgument<string?>("provider"), ctx.GetArgument<string?>("region"),
            ctx.GetArgument<string?>("service"), ctx.GetArgument<string?>("account"), StreamGraph.Scope(ctx));
        var query = new RollupQuery
        {
            From = from, To = to, WindowSize = size, EventType = ctx.GetArgument<string?>("eventType"), Metric = ctx.GetArgument<string?>("metric"),
        };
        return filter.IsEmpty
            ? [.. await store.QueryAsync(query with { Limit = limit }, ctx.CancellationToken)]
            : await FilteredAsync(store, query, filter, limit, ctx.CancellationToken);
    }

    /// <summary>
    /// Applies filters the store's query cannot (dimensions, the caller's scope) by reading pages in the store's order.
    /// A page ends with whole window starts: its last start's rows are read again as the start of the next page.
    /// </summary>
    internal static async Task<List<WindowRollup>> FilteredAsync(IRollupStore store, RollupQuery query, RowFilter filter, int limit, CancellationToken cancellationToken)
    {
        var result = new List<WindowRollup>();
        var cursor = query.From;
        var scanned = 0;
        while (true)
        {
            var page = await store.QueryAsync(query with { From = cursor, Limit = PageRows }, cancellationToken);
            var complete = page.Count;
            if (page.Count == PageRows)
            {
                var lastStart = page[^1].WindowStart;
                while (complete > 0 && page[complete - 1].WindowStart == lastStart)
                {
                    complete--;
                }

                if (complete == 0)
                {
                    throw new ExecutionError($"More than {PageRows:N0} rollup rows start at {StreamFormat.Time(lastStart)}; narrow streamRollups with metric, eventType or windowSize.") { Code = "LIMIT_EXCEEDED" };
                }

                cursor = lastStart;
            }

            for (var i = 0; i < complete; i++)
            {
                if (filter.Matches(page[i]))
                {
                    result.Add(page[i]);
                    if (result.Count == limit)
                    {
                        return result;
                    }
                }
            }

            scanned += complete;
            if (page.Count < PageRows)
            {
                return result;
            }

            if (scanned >= MaxScannedRows)
            {
                throw new ExecutionError($"streamRollups examined {scanned:N0} rows without reaching the end of the range; narrow it with from/to, metric, eventType or windowSize.") { Code = "LIMIT_EXCEEDED" };
            }
        }
    }

    private static DateTimeOffset? Time(IResolveFieldContext ctx, string argument) =>
        ctx.GetArgument<string?>(argument) is not { } text ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time
        : throw StreamSelection.Invalid($"{argument} '{text}' is not an ISO 8601 time; write e.g. 2026-11-28T08:00:00Z.");

    /// <summary>Dimension filters (null matches all) and the caller's scope (accounts, restricted tags), as for live windows.</summary>
    internal sealed record RowFilter(string? ResourceId, string? Provider, string? Region, string? Service, string? Account, CostScope Scope)
    {
        public bool IsEmpty => ResourceId is null && Provider is null && Region is null && Service is null && Account is null && Scope.IsUnrestricted;

        public bool Matches(WindowRollup r)
        {
            if ((ResourceId is not null && r.ResourceId != ResourceId) || (Provider is not null && r.Provider != Provider)
                || (Region is not null && r.Region != Region) || (Service is not null && r.Service != Service) || (Account is not null && r.Account != Account))
            {
                return false;
            }

            if (Scope.BillingAccounts is { } accounts && !accounts.Contains(r.Account))
            {
                return false;
            }

            if (Scope.TagValues.Count == 0)
            {
                return true;
            }

            var tags = r.Tags.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            return Scope.TagValues.All(kv => tags.TryGetValue(kv.Key, out var v) && kv.Value.Contains(v));
        }
    }
}

/// <summary>GraphQL type <c>StreamRollup</c>: one stored rollup row.</summary>
public sealed class StreamRollupType : ObjectGraphType<WindowRollup>
{
    /// <summary>Creates the type.</summary>
    public StreamRollupType()
    {
        Name = "StreamRollup";
        Description = "The final aggregates of one metric in one closed window of one series, as stored. Dimensions the engine does not group on are empty.";
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
