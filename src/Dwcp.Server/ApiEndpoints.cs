using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Cost.Ingestion;
using Dwcp.Storage;
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
        app.MapPost("/api/v1/ingest", IngestAsync);
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

    private static async Task<IResult> IngestAsync(HttpContext http, ICostStore store, DwcpServerOptions options)
    {
        IngestRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<IngestRequest>(http.Request.Body, CostJson.Options, http.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", $"The body is not an ingest request: {ex.Message}");
        }

        if (request is null || request.Paths.Count == 0)
        {
            return Error(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", "Name at least one file or folder in \"paths\".");
        }

        if (request.Paths.Any(p => !Path.IsPathFullyQualified(p)))
        {
            return Error(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", "Paths must be absolute: the server resolves them on its own machine.");
        }

        try
        {
            var importer = new BillingImporter(store);
            Dwcp.Ingest.Native.SourceFormat? format = null;
            if (request.SourceFormat is { Length: > 0 } name)
            {
                if (!Dwcp.Ingest.Native.SourceFormats.TryParse(name, out var parsed))
                {
                    return Error(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", $"sourceFormat '{name}' is not one of: {string.Join(", ", Dwcp.Ingest.Native.SourceFormats.Names)}.");
                }

                format = parsed;
            }

            var result = await importer.ImportAsync(request.Paths, new ImportOptions
            {
                SourceFormat = format,
                TagPolicy = options.Query.TagPolicy,
                SkipInvalidRows = request.SkipInvalidRows,
                RejectedDir = Path.Combine(options.DataDir, "rejected"),
                Description = "ingest (via server): " + string.Join(' ', request.Paths),
            }, cancellationToken: http.RequestAborted);
            http.RequestServices.GetService<AnomalyMonitor>()?.Signal(); // committed: check for cost anomalies (docs/anomalies.md, Live alerts)
            return Results.Json(result, CostJson.Options);
        }
        catch (FileNotFoundException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", ex.Message);
        }
    }

    internal static IResult Error(int status, string code, string message) =>
        Results.Json(new ApiError(code, message), CostJson.Options, statusCode: status);
}

/// <summary>Body of <c>POST /api/v1/ingest</c>: absolute paths of files or folders on the server's machine.</summary>
/// <param name="Paths">Files or folders on the server's machine.</param>
/// <param name="SkipInvalidRows">Load good rows of files with bad ones.</param>
/// <param name="SourceFormat">A <c>--source-format</c> name (e.g. <c>aws-cur</c>), or null to detect each file's format.</param>
public sealed record IngestRequest(IReadOnlyList<string> Paths, bool SkipInvalidRows, string? SourceFormat = null);

/// <summary>The error body of every REST endpoint.</summary>
public sealed record ApiError(string Code, string Message);
