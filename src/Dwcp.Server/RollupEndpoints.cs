using System.Globalization;
using Dwcp.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server;

/// <summary><c>GET /api/v1/stream/rollups</c>: closed windows as stored rollup rows. See docs/streaming.md#rollups.</summary>
internal static class RollupEndpoints
{
    public static void MapDwcpRollups(this WebApplication app) => app.MapGet("/api/v1/stream/rollups", QueryAsync);

    private static async Task<IResult> QueryAsync(HttpContext http, IServiceProvider services, CancellationToken ct)
    {
        var store = services.GetRequiredService<IRollupStore>(); // registered for either backend

        var q = http.Request.Query;
        RollupQuery query;
        try
        {
            query = new RollupQuery
            {
                From = q["from"] is [{ } from] ? DateTimeOffset.Parse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null,
                To = q["to"] is [{ } to] ? DateTimeOffset.Parse(to, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null,
                WindowSize = q["window_size"] is [{ } size] ? TimeSpan.Parse(size, CultureInfo.InvariantCulture) : null,
                EventType = q["event_type"] is [{ } type] ? type : null,
                Metric = q["metric"] is [{ } metric] ? metric : null,
                Limit = q["limit"] is [{ } limit] ? int.Parse(limit, CultureInfo.InvariantCulture) : 10_000,
            };
        }
        catch (FormatException ex)
        {
            return Results.Json(new ApiError("BAD_REQUEST", $"{ex.Message} Use from/to as ISO 8601 times, window_size as hh:mm:ss (e.g. 00:01:00) and limit as a whole number."), statusCode: StatusCodes.Status400BadRequest);
        }

        if (query.Limit is < 1 or > 100_000)
        {
            return Results.Json(new ApiError("BAD_REQUEST", $"limit is {query.Limit}: use 1 to 100000."), statusCode: StatusCodes.Status400BadRequest);
        }

        var rows = await store.QueryAsync(query, ct);
        return Results.Json(new
        {
            rows = rows.Select(r => new
            {
                window_start = r.WindowStart,
                window_end = r.WindowEnd,
                window_size = r.WindowSize.ToString("c", CultureInfo.InvariantCulture),
                slide = r.Slide.ToString("c", CultureInfo.InvariantCulture),
                event_type = r.EventType,
                resource_id = r.ResourceId,
                provider = r.Provider,
                region = r.Region,
                service = r.Service,
                account = r.Account,
                tags = r.Tags,
                metric = r.Metric,
                event_count = r.EventCount,
                count = r.Count,
                sum = r.Sum,
                min = r.Min,
                max = r.Max,
                avg = r.Average,
                last = r.Last,
                p50 = r.P50,
                p95 = r.P95,
                p99 = r.P99,
            }),
        });
    }
}
