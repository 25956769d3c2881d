using System.Net.Http.Json;
using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Cost.Ingestion;
using Dwcp.Server;

namespace Dwcp.Cli;

/// <summary>Talks to the server that holds a data folder (DuckDB allows one process per file).</summary>
internal sealed class RemoteServer(ServerFile server) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(server.Url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(30) };

    public string Url => server.Url;

    public async Task<CostAnswer> QueryAsync(CostQuery query, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync("api/v1/cost/query", query, CostJson.Options, ct);
        return await ReadAsync<CostAnswer>(response, ct);
    }

    public async Task<ImportResult> IngestAsync(IngestRequest request, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync("api/v1/ingest", request, CostJson.Options, ct);
        return await ReadAsync<ImportResult>(response, ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            ApiError? error = null;
            try
            {
                error = JsonSerializer.Deserialize<ApiError>(text, CostJson.Options);
            }
            catch (JsonException)
            {
                // Not our error body.
            }

            var message = error?.Message ?? $"The server answered HTTP {(int)response.StatusCode}: {text}";
            if (error?.Code is "InvalidArgument" or "INVALID_ARGUMENT")
            {
                throw new UsageException(message);
            }

            throw new InvalidOperationException(message);
        }

        return JsonSerializer.Deserialize<T>(text, CostJson.Options) ?? throw new InvalidOperationException("The server sent an empty answer.");
    }

    public void Dispose() => _http.Dispose();
}
