using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dwcp.Cost.Anomalies;

/// <summary>
/// Stable, self-describing anomaly ids: <c>ca1.</c> + base64url of the JSON array
/// <c>[provider, service, account|null, currency, "YYYY-MM-DD"]</c>. The same series and day always give the same id,
/// and feedback can find the series and day back from the id alone (no server-side memory needed).
/// </summary>
public static class AnomalyId
{
    private const string Prefix = "ca1.";

    /// <summary>The id of a series' anomaly on a day.</summary>
    public static string Of(AnomalySeriesKey key, DateOnly day)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new[] { key.Provider, key.Service, key.Account, key.Currency, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        return Prefix + Base64Url.EncodeToString(json);
    }

    /// <summary>The series and day an id names.</summary>
    /// <exception cref="CostQueryException">The id is not one this service produced.</exception>
    public static (AnomalySeriesKey Key, DateOnly Day) Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            try
            {
                var parts = JsonSerializer.Deserialize<string?[]>(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(id.AsSpan(Prefix.Length))));
                if (parts is [{ } provider, { } service, var account, { } currency, { } day]
                    && DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                {
                    return (new AnomalySeriesKey(provider, service, account, currency), d);
                }
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                // Reported below.
            }
        }

        throw new CostQueryException(CostQueryErrorKind.InvalidArgument,
            $"'{id}' is not an anomaly id. Copy the id from the anomalies list (it starts with '{Prefix}').");
    }
}
