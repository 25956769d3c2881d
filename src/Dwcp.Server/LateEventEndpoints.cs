using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dwcp.Server;

/// <summary><c>GET /api/v1/events/late?limit=N</c>: the latest late events (newest first, default 100, at most 1,000) with
/// the counts of received, written and unwritten ones and the folder of the full files. See docs/streaming.md.</summary>
internal static class LateEventEndpoints
{
    public static void MapDwcpLateEvents(this WebApplication app) => app.MapGet("/api/v1/events/late", (HttpContext http, LateEventFileSink sink) =>
    {
        var limit = 100;
        if (http.Request.Query["limit"] is { Count: > 0 } text
            && (!int.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1_000))
        {
            return Results.Json(new { error = $"limit '{text[0]}' must be a whole number from 1 to 1000.", code = "BAD_REQUEST" }, statusCode: StatusCodes.Status400BadRequest);
        }

        var recent = sink.Recent();
        var events = recent.Reverse().Take(limit).Select(r => JsonDocument.Parse(LateEventFileSink.ToJson(r.Late, r.At)).RootElement).ToList();
        return Results.Json(new
        {
            received = sink.Received,
            written = sink.Written,
            unwritten = sink.Unwritten,
            last_error = sink.LastError,
            directory = sink.Directory,
            events,
        });
    });
}
