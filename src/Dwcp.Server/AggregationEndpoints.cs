using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dwcp.Server;

/// <summary>
/// Custom aggregations over REST: <c>GET /api/v1/aggregations</c> lists them, <c>POST /api/v1/aggregations</c> creates one
/// from its JSON description (201; 400 naming the bad key; 409 when the name is taken), <c>DELETE
/// /api/v1/aggregations/{name}</c> removes a run-time one (204; 404; 409 for one of the configuration). See docs/api.md.
/// </summary>
internal static class AggregationEndpoints
{
    private const int MaxBodyBytes = 64 * 1024;

    public static void MapDwcpAggregations(this WebApplication app)
    {
        app.MapGet("/api/v1/aggregations", (CustomAggregationRegistry registry) => Results.Json(new { aggregations = registry.List().Select(View) }));
        app.MapPost("/api/v1/aggregations", CreateAsync);
        app.MapDelete("/api/v1/aggregations/{name}", (string name, CustomAggregationRegistry registry) =>
        {
            try
            {
                return registry.Remove(name)
                    ? Results.NoContent()
                    : Error(StatusCodes.Status404NotFound, "NOT_FOUND", $"No custom aggregation is named '{name}'; GET /api/v1/aggregations lists them.");
            }
            catch (InvalidOperationException ex)
            {
                return Error(StatusCodes.Status409Conflict, "DEFINED_IN_CONFIG", ex.Message);
            }
        });
    }

    internal static object View(RegisteredAggregation a)
    {
        using var doc = JsonDocument.Parse(a.Definition);
        return new
        {
            name = a.Name,
            type = RollupWindowSink.TypeName(a.Config.Type),
            source = a.Source == AggregationSource.Config ? "config" : "api",
            definition = doc.RootElement.Clone(),
        };
    }

    private static async Task<IResult> CreateAsync(HttpContext http, CustomAggregationRegistry registry)
    {
        if (http.Request.ContentLength is > MaxBodyBytes)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"An aggregation description is at most {MaxBodyBytes:N0} bytes.");
        }

        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var buffer = new char[MaxBodyBytes + 1];
        var read = await reader.ReadBlockAsync(buffer, http.RequestAborted);
        if (read > MaxBodyBytes)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"An aggregation description is at most {MaxBodyBytes:N0} bytes.");
        }

        var body = new string(buffer, 0, read);
        if (string.IsNullOrWhiteSpace(body))
        {
            return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "The body is empty; send a JSON object such as {\"name\":\"cost_per_unit\",\"type\":\"weighted_average\",\"window\":\"5m\",\"metric\":\"unit_price\",\"weight_metric\":\"usage\"}.");
        }

        try
        {
            var created = registry.Create(body);
            return Results.Json(View(created), statusCode: StatusCodes.Status201Created);
        }
        catch (FormatException ex) when (ex.Message.Contains("already exists", StringComparison.Ordinal))
        {
            return Error(StatusCodes.Status409Conflict, "NAME_TAKEN", ex.Message);
        }
        catch (FormatException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", ex.Message);
        }
    }

    private static IResult Error(int status, string code, string message) => Results.Json(new { error = message, code }, statusCode: status);
}
