using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server;

/// <summary>
/// <c>GET /api/v1/stream/rollups</c> and <c>GET /api/v1/stream/aggregation-rollups</c>: closed windows as stored rollup
/// rows (metrics and custom aggregations). See docs/api.md#stream-rollups-over-rest.
/// </summary>
internal static class RollupEndpoints
{
    private const int MaxLimit = 100_000;

    public static void MapDwcpRollups(this WebApplication app)
    {
        app.MapGet("/api/v1/stream/rollups", QueryAsync);
        app.MapGet("/api/v1/stream/aggregation-rollups", QueryCustomAsync);
    }

    private static async Task<IResult> QueryAsync(HttpContext http, IServiceProvider services, CancellationToken ct)
    {
        var store = services.GetRequiredService<IRollupStore>(); // registered for either backend
        var (query, error) = Parse<RollupQuery>(http.Request.Query, services.GetRequiredService<ICallerScope>().Current);
        if (query is null)
        {
            return error!;
        }

        var rows = await store.QueryAsync(query with { Metric = Text(http.Request.Query, "metric") }, ct);
        return Results.Json(new
        {
            rows = rows.Select(r => Row(r.WindowStart, r.WindowEnd, r.WindowSize, r.Slide, r.EventType, r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags, new()
            {
                ["metric"] = r.Metric,
                ["event_count"] = r.EventCount,
                ["count"] = r.Count,
                ["sum"] = r.Sum,
                ["min"] = r.Min,
                ["max"] = r.Max,
                ["avg"] = r.Average,
                ["last"] = r.Last,
                ["p50"] = r.P50,
                ["p95"] = r.P95,
                ["p99"] = r.P99,
            })),
        });
    }

    private static async Task<IResult> QueryCustomAsync(HttpContext http, IServiceProvider services, CancellationToken ct)
    {
        var store = services.GetRequiredService<IRollupStore>();
        var (query, error) = Parse<CustomRollupQuery>(http.Request.Query, services.GetRequiredService<ICallerScope>().Current);
        if (query is null)
        {
            return error!;
        }

        var rows = await store.QueryCustomAsync(query with { Name = Text(http.Request.Query, "name") }, ct);
        return Results.Json(new
        {
            rows = rows.Select(r => Row(r.WindowStart, r.WindowEnd, r.WindowSize, r.Slide, r.EventType, r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags, new()
            {
                ["name"] = r.Name,
                ["type"] = r.Type,
                ["value"] = double.IsFinite(r.Value) ? r.Value : null, // JSON has no NaN: undefined is null
                ["partial"] = r.Partial,
                ["event_count"] = r.EventCount,
            })),
        });
    }

    /// <summary>One JSON row: the window and series fields both endpoints share, then the kind's own fields, in order.</summary>
    private static Dictionary<string, object?> Row(
        DateTimeOffset start, DateTimeOffset end, TimeSpan size, TimeSpan slide, string eventType, string resourceId, string provider, string region,
        string service, string account, string tags, Dictionary<string, object?> own)
    {
        var row = new Dictionary<string, object?>(11 + own.Count)
        {
            ["window_start"] = start,
            ["window_end"] = end,
            ["window_size"] = size.ToString("c", CultureInfo.InvariantCulture),
            ["slide"] = slide.ToString("c", CultureInfo.InvariantCulture),
            ["event_type"] = eventType,
            ["resource_id"] = resourceId,
            ["provider"] = provider,
            ["region"] = region,
            ["service"] = service,
            ["account"] = account,
            ["tags"] = tags,
        };
        foreach (var (key, value) in own)
        {
            row[key] = value;
        }

        return row;
    }

    /// <summary>The shared query-string filters plus the caller's scope (allowed accounts and restricted tag values, as
    /// GraphQL applies them), or a 400 saying what to fix.</summary>
    private static (T? Query, IResult? Error) Parse<T>(IQueryCollection q, CostScope scope)
        where T : RollupSelection, new()
    {
        T query;
        try
        {
            query = new T
            {
                From = q["from"] is [{ } from] ? DateTimeOffset.Parse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null,
                To = q["to"] is [{ } to] ? DateTimeOffset.Parse(to, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null,
                WindowSize = q["window_size"] is [{ } size] ? TimeSpan.Parse(size, CultureInfo.InvariantCulture) : null,
                EventType = Text(q, "event_type"),
                ResourceId = Text(q, "resource_id"),
                Provider = Text(q, "provider"),
                Region = Text(q, "region"),
                Service = Text(q, "service"),
                Account = Text(q, "account"),
                Accounts = scope.BillingAccounts,
                Tags = [.. q["tag"].Select(t => RollupTagFilter.Parse(t ?? "")), .. Graph.RollupGraph.ScopeTags(scope)],
                Limit = q["limit"] is [{ } limit] ? int.Parse(limit, CultureInfo.InvariantCulture) : 10_000,
            };
        }
        catch (FormatException ex)
        {
            return (null, Results.Json(new ApiError("BAD_REQUEST", $"{ex.Message} Use from/to as ISO 8601 times, window_size as hh:mm:ss (e.g. 00:01:00), tag as KEY=VALUE (repeatable) and limit as a whole number."), statusCode: StatusCodes.Status400BadRequest));
        }
        catch (OverflowException ex)
        {
            return (null, Results.Json(new ApiError("BAD_REQUEST", $"{ex.Message} Use limit 1 to {MaxLimit}."), statusCode: StatusCodes.Status400BadRequest));
        }

        if (query.Limit is < 1 or > MaxLimit)
        {
            return (null, Results.Json(new ApiError("BAD_REQUEST", $"limit is {query.Limit}: use 1 to {MaxLimit}."), statusCode: StatusCodes.Status400BadRequest));
        }

        return (query, null);
    }

    private static string? Text(IQueryCollection q, string key) => q[key] is [{ } value] ? value : null;
}
