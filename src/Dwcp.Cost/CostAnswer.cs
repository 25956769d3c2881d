using System.Text.Json;
using System.Text.Json.Serialization;
using Dwcp.Core.Costs;

namespace Dwcp.Cost;

/// <summary>
/// A <see cref="CostQueryResult"/> in a plain, serialisable shape: what the HTTP API returns and what the CLI prints,
/// whether it asked a server or the store directly.
/// </summary>
public sealed record CostAnswer(
    CostQuery Query,
    IReadOnlyList<string> KeyNames,
    IReadOnlyList<CostLine> Lines,
    IReadOnlyList<CurrencyTotal> Totals,
    string? NextCursor,
    long TotalLines,
    string Scope,
    string? ReportingCurrency = null,
    IReadOnlyList<RateUsed>? RatesUsed = null)
{
    /// <summary>Converts a result.</summary>
    public static CostAnswer From(CostQueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new CostAnswer(result.Query, result.KeyNames, result.Lines, result.Totals, result.NextCursor, result.TotalLines, result.Scope.ToString(),
            result.ReportingCurrency, result.RatesUsed);
    }
}

/// <summary>JSON conventions of the HTTP API: camelCase, enums as strings, decimals exact.</summary>
public static class CostJson
{
    /// <summary>The shared serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            WriteIndented = false,
        };
        o.Converters.Add(new JsonStringEnumConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
