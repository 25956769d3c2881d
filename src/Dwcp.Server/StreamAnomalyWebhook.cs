using System.Globalization;
using System.Text.Json;
using Dwcp.Cost.Anomalies;

namespace Dwcp.Server;

/// <summary>
/// POSTs stream anomalies to <c>analytics.anomalies.webhook_url</c> as <c>{"stream_anomalies": [...]}</c>
/// (<see cref="Serialize"/>; docs/anomalies.md, "Live alerts"), with the retry rule of <see cref="AnomalyWebhook"/>: a
/// connection error, time-out, 408, 429 or 5xx is retried up to <c>retries</c> times, waiting baseDelay·2^(k−1) before
/// retry k; any other 4xx is final.
/// </summary>
public sealed class StreamAnomalyWebhook(Uri url, int retries, HttpClient http, TimeSpan baseDelay, TimeProvider time)
{
    private readonly AnomalyWebhook _webhook = new(url, retries, http, baseDelay, time);

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>
    /// The JSON body: snake_case fields, times in ISO 8601 UTC, the window size in seconds; <c>kind</c> is <c>metric</c> or
    /// <c>multivariate</c>, and a multivariate anomaly lists its <c>drivers</c> (metric, value, expected, z, share of D² that goes away without it;
    /// null for a single-metric one).
    /// </summary>
    public static string Serialize(IEnumerable<StreamAnomaly> anomalies)
    {
        ArgumentNullException.ThrowIfNull(anomalies);
        var items = anomalies.Select(a => new Dictionary<string, object?>
        {
            ["id"] = a.Id,
            ["metric"] = a.Metric,
            ["event_type"] = a.Series.EventType,
            ["dimensions"] = new Dictionary<string, string>
            {
                ["provider"] = a.Series.Provider,
                ["region"] = a.Series.Region,
                ["service"] = a.Series.Service,
                ["account"] = a.Series.Account,
                ["resource_id"] = a.Series.ResourceId,
                ["tags"] = a.Series.Tags,
            },
            ["window_start"] = Time(a.WindowStart),
            ["window_end"] = Time(a.WindowEnd),
            ["window_size_seconds"] = a.WindowSize.TotalSeconds,
            ["value_of"] = a.ValueOf.ToString().ToLowerInvariant(),
            ["value"] = a.Value,
            ["expected"] = a.Expected,
            ["deviation_percentage"] = double.IsFinite(a.DeviationPercentage) ? Math.Round(a.DeviationPercentage, 2) : null,
            ["score"] = Math.Round(a.Score, 6),
            ["severity"] = a.Severity.ToString().ToLowerInvariant(),
            ["kind"] = a.Kind,
            ["drivers"] = a.Drivers?.Select(d => new Dictionary<string, object>
            {
                ["metric"] = d.Metric,
                ["value"] = d.Value,
                ["expected"] = d.Expected,
                ["z"] = Math.Round(d.Z, 4),
                ["share"] = Math.Round(d.Share, 4),
            }).ToArray(),
        }).ToArray();
        return JsonSerializer.Serialize(new Dictionary<string, object> { ["stream_anomalies"] = items }, Options);
    }

    /// <summary>Sends the anomalies; returns the number of attempts it took.</summary>
    /// <exception cref="AnomalyWebhookException">Every attempt failed, or the receiver refused the payload (4xx).</exception>
    public Task<int> SendAsync(IReadOnlyList<StreamAnomaly> anomalies, CancellationToken cancellationToken = default) =>
        _webhook.SendJsonAsync(Serialize(anomalies), "the stream anomalies", cancellationToken);

    /// <summary>Sends every batch the feed publishes, in the background; failures go to <paramref name="onError"/>.</summary>
    public IDisposable Attach(StreamAnomalyFeed feed, Action<Exception> onError)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(onError);
        return feed.Subscribe(batch => _ = Task.Run(async () =>
        {
            try
            {
                await SendAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AnomalyWebhookException or OperationCanceledException)
            {
                onError(ex);
            }
        }, CancellationToken.None));
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
