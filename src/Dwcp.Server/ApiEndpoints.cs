using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dwcp.Server;

/// <summary>The REST endpoints the CLI uses when a server holds the data folder (docs/api.md).</summary>
public static class ApiEndpoints
{
    /// <summary>Maps <c>/api/v1/…</c>.</summary>
    public static IEndpointRouteBuilder MapDwcpApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/cost/query", QueryCostAsync);
        return app;
    }

    private static async Task<IResult> QueryCostAsync(HttpContext http, CostQueryService costs, ICallerScope scope)
    {
        CostQuery? query;
        try
        {
            query = await JsonSerializer.DeserializeAsync<CostQuery>(http.Request.Body, CostJson.Options, http.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", $"The body is not a cost query: {ex.Message}");
        }

        if (query is null)
        {
            return Error(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", "The body is empty; send a cost query as JSON.");
        }

        try
        {
            var result = await costs.QueryAsync(query, scope.Current, http.RequestAborted);
            return Results.Json(CostAnswer.From(result), CostJson.Options);
        }
        catch (CostQueryException ex)
        {
            return Error(ex.Kind == CostQueryErrorKind.Timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status400BadRequest, ex.Kind.ToString(), ex.Message);
        }
    }

    internal static IResult Error(int status, string code, string message) =>
        Results.Json(new ApiError(code, message), CostJson.Options, statusCode: status);
}

/// <summary>The error body of every REST endpoint.</summary>
public sealed record ApiError(string Code, string Message);
