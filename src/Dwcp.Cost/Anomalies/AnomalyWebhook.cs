using System.Net;
using System.Text;

namespace Dwcp.Cost.Anomalies;

/// <summary>The webhook gave up: every attempt failed.</summary>
public sealed class AnomalyWebhookException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// POSTs anomalies (<see cref="AnomalyJson"/>, <c>application/json</c>) to <c>analytics.anomalies.webhook_url</c>. A
/// connection error, a time-out, 408, 429 or a 5xx answer is retried up to <see cref="Retries"/> times, waiting
/// <see cref="BaseDelay"/>·2^(attempt−1) before each retry (exponential backoff); any other 4xx is final.
/// </summary>
public sealed class AnomalyWebhook
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    /// <summary>A webhook to <paramref name="url"/>.</summary>
    /// <param name="url">Where to POST (http or https).</param>
    /// <param name="retries">Retries after the first attempt (0 = one attempt only).</param>
    /// <param name="http">The client to send with.</param>
    /// <param name="baseDelay">Wait before the first retry (default 1 s); doubles each retry.</param>
    /// <param name="time">Clock for the waits.</param>
    public AnomalyWebhook(Uri url, int retries, HttpClient http, TimeSpan? baseDelay = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The anomaly webhook URL must be an absolute http:// or https:// URL but is '{url.OriginalString}'. Fix analytics.anomalies.webhook_url.", nameof(url));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        Url = url;
        Retries = retries;
        _http = http ?? throw new ArgumentNullException(nameof(http));
        BaseDelay = baseDelay ?? TimeSpan.FromSeconds(1);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The target.</summary>
    public Uri Url { get; }

    /// <summary>Retries after the first attempt.</summary>
    public int Retries { get; }

    /// <summary>Wait before the first retry.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>Sends the anomalies; returns the number of attempts it took.</summary>
    /// <exception cref="AnomalyWebhookException">Every attempt failed, or the receiver refused the payload (4xx).</exception>
    public Task<int> SendAsync(IReadOnlyList<StoreCostAnomaly> anomalies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(anomalies);
        return SendJsonAsync(AnomalyJson.Serialize(anomalies), "the payload", cancellationToken);
    }

    /// <summary>POSTs a JSON body with the retry rule above (the stream anomaly webhook sends its own shape through it).</summary>
    /// <param name="body">The JSON to send.</param>
    /// <param name="what">What the body holds, for the error messages (e.g. "the payload").</param>
    /// <param name="cancellationToken">Stops the attempts and the waits.</param>
    /// <returns>The number of attempts it took.</returns>
    /// <exception cref="AnomalyWebhookException">Every attempt failed, or the receiver refused the body (4xx).</exception>
    public async Task<int> SendJsonAsync(string body, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        string last = "no attempt";
        for (var attempt = 1; attempt <= Retries + 1; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(BaseDelay * Math.Pow(2, attempt - 2), _time, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(Url, content, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return attempt;
                }

                last = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                if (!Retryable(response.StatusCode))
                {
                    throw new AnomalyWebhookException($"The anomaly webhook {Url} refused {what} with {last}; not retried. Check the receiver.");
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = $"time-out ({ex.Message})";
            }
        }

        throw new AnomalyWebhookException($"The anomaly webhook {Url} failed {Retries + 1} time(s) sending {what}; last error: {last}. Check that the receiver is up, or raise analytics.anomalies.webhook_retries.");
    }

    /// <summary>Sends every batch the feed publishes, in the background; failures go to <paramref name="onError"/>.</summary>
    public IDisposable Attach(IAnomalyFeed feed, Action<Exception> onError, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(onError);
        return feed.Subscribe(batch => _ = Task.Run(async () =>
        {
            try
            {
                await SendAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AnomalyWebhookException or OperationCanceledException)
            {
                onError(ex);
            }
        }, CancellationToken.None));
    }

    private static bool Retryable(HttpStatusCode code) =>
        code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)code >= 500;
}
