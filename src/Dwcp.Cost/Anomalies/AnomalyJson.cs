using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dwcp.Anomalies.Costs;

namespace Dwcp.Cost.Anomalies;

/// <summary>
/// The JSON form of anomalies shared by the webhook and <c>dwcp anomalies --format json</c>: the product guide's field
/// names in snake_case, money as JSON numbers with exact decimal digits, days as <c>YYYY-MM-DD</c>.
/// </summary>
public static class AnomalyJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>One anomaly as a JSON-ready object.</summary>
    public static AnomalyDocument ToDocument(StoreCostAnomaly anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        var a = anomaly.Anomaly;
        return new AnomalyDocument(
            anomaly.Id,
            DateOnly.FromDateTime(a.Timestamp).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            a.Provider,
            a.Service,
            a.Account,
            anomaly.Currency,
            a.ExpectedCost,
            a.ActualCost,
            Math.Round(a.DeviationPercentage, 2),
            a.Severity.ToString().ToLowerInvariant(),
            Math.Round(a.Score, 6),
            a.Suppressed,
            a.ProbableCauses,
            a.RecommendedActions,
            a.RootCauses.Select(c => new RootCauseDocument(c.Dimension, c.Value, c.Expected, c.Actual, c.DollarDelta, Math.Round(c.Share, 4), c.Change.ToString().ToLowerInvariant())).ToArray());
    }

    /// <summary>Anomalies as an indented JSON object <c>{"anomalies": [...]}</c>.</summary>
    public static string Serialize(IEnumerable<StoreCostAnomaly> anomalies) =>
        JsonSerializer.Serialize(new AnomalyEnvelope(anomalies.Select(ToDocument).ToArray()), Options);

    /// <summary>The top-level JSON object.</summary>
    /// <param name="Anomalies">The anomalies.</param>
    public sealed record AnomalyEnvelope(IReadOnlyList<AnomalyDocument> Anomalies);

    /// <summary>One anomaly in JSON.</summary>
    public sealed record AnomalyDocument(
        string Id, string Timestamp, string Provider, string Service, string? Account, string Currency,
        decimal ExpectedCost, decimal ActualCost, double DeviationPercentage, string Severity, double Score, bool Suppressed,
        IReadOnlyList<string> ProbableCauses, IReadOnlyList<string> RecommendedActions, IReadOnlyList<RootCauseDocument> RootCauses);

    /// <summary>One root-cause contributor in JSON.</summary>
    public sealed record RootCauseDocument(string Dimension, string Value, decimal Expected, decimal Actual, decimal DollarDelta, double Share, string Change);
}
