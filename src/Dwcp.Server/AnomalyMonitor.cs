using System.Text.Json;
using System.Threading.Channels;
using Dwcp.Anomalies;
using Dwcp.Cost;
using Dwcp.Cost.Anomalies;
using Dwcp.Server.Graph;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dwcp.Server;

/// <summary>Live anomaly alerts (<c>analytics.anomalies</c>): when cost detection runs, how streams are scored, where alerts go.</summary>
public sealed record AnomalyAlertOptions
{
    /// <summary>Where new cost and stream anomalies are POSTed (<c>webhook_url</c>); null = no webhook.</summary>
    public Uri? WebhookUrl { get; init; }

    /// <summary>Retries after a failed POST (<c>webhook_retries</c>), with exponential backoff from <see cref="WebhookBaseDelay"/>.</summary>
    public int WebhookRetries { get; init; } = 3;

    /// <summary>Wait before the first webhook retry; doubles each retry.</summary>
    public TimeSpan WebhookBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often cost detection runs besides at start and after each import (<c>check_interval</c>); zero = never on a timer.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Target false-positive rate α of cost checks and stream detectors (<c>fp_rate</c>).</summary>
    public double FpRate { get; init; } = 0.05;

    /// <summary>
    /// The cost checks' materiality floor (<c>min_impact</c>, <c>min_share</c>); also the default of GraphQL
    /// <c>detectAnomalies(minImpact, minShare)</c>.
    /// </summary>
    public AnomalyMateriality Materiality { get; init; } = AnomalyMateriality.Default;

    /// <summary>Most stream series (metric × series × window size and slide) with a detector (<c>max_stream_series</c>); least recently updated evicted.</summary>
    public int MaxStreamSeries { get; init; } = 10_000;

    /// <summary>Which aggregate of a closed window the stream detectors score (default the average).</summary>
    public StreamAggregate StreamValue { get; init; } = StreamAggregate.Avg;

    /// <summary>How many earlier window values of a series give a stream anomaly's expected value (their median).</summary>
    public int StreamExpectedWindows { get; init; } = 30;

    /// <summary>
    /// Also score each closed window's metrics together (<c>OnlineMultivariateDetector</c>, one per series and window
    /// size, in the same detector book) and publish broken relationships as multivariate stream anomalies.
    /// </summary>
    public bool StreamMultivariate { get; init; } = true;

    /// <summary>Most metrics scored together per window (the first ones by name); at most 32.</summary>
    public int MaxMultivariateMetrics { get; init; } = 16;

    /// <summary>
    /// The multivariate detector for d metrics: the last 120 windows give each metric's median and MAD and the metrics'
    /// covariance (distances from 5·d, at least 30, windows on), and D² is judged against its last 500 values (p-values
    /// after 30 of them), at <see cref="FpRate"/>. About 8·(120·d + 1,000) bytes.
    /// </summary>
    public Dwcp.Anomalies.Detectors.OnlineMultivariateDetector CreateMultivariateDetector(int dimensions)
    {
        var minHistory = Math.Max(30, 5 * dimensions);
        return new Dwcp.Anomalies.Detectors.OnlineMultivariateDetector(dimensions, FpRate, history: Math.Max(120, 2 * minHistory), minHistory: minHistory);
    }

    /// <summary>The stream detectors' settings: the online ensemble at <see cref="FpRate"/>, with a 500-value calibration
    /// window and a 30-statistic warm-up per calibrator (instead of 2,000 and 100), so one series costs about 110 KB and
    /// alerts start after about 60 windows; the resonance component keeps at most 250 categories (not 1,000), so it adds
    /// at most about 40 KB.</summary>
    public OnlineDetectorOptions StreamDetector => new()
    {
        FpRate = FpRate,
        CalibrationWindow = 500,
        MinCalibrationHistory = 30,
        Resonance = new Dwcp.Anomalies.Detectors.ResonanceOptions { MaxCategories = 250 },
    };
}

/// <summary>Counters of the live alerts (also on <c>GET /metrics</c> when the lead wires them there).</summary>
public sealed class AnomalyAlertCounters
{
    private long _costChecks;
    private long _costCheckFailures;
    private long _costPublished;
    private long _publishedFileErrors;
    private long _webhookFailures;
    private long _streamWindowsScored;
    private long _streamAnomalies;
    private long _streamSeriesEvicted;
    private long _streamSeriesSkipped;
    private long _streamErrors;
    private long _multivariateScored;

    /// <summary>Cost detections completed.</summary>
    public long CostChecks => Interlocked.Read(ref _costChecks);

    /// <summary>Cost detections that failed (logged).</summary>
    public long CostCheckFailures => Interlocked.Read(ref _costCheckFailures);

    /// <summary>Cost anomalies published (each id once, ever).</summary>
    public long CostPublished => Interlocked.Read(ref _costPublished);

    /// <summary>Failed writes of <c>anomaly-published.json</c> (logged; the anomalies were still published).</summary>
    public long PublishedFileErrors => Interlocked.Read(ref _publishedFileErrors);

    /// <summary>Webhook deliveries that gave up (cost and stream; logged).</summary>
    public long WebhookFailures => Interlocked.Read(ref _webhookFailures);

    /// <summary>Metric values of closed windows scored by the stream detectors.</summary>
    public long StreamWindowsScored => Interlocked.Read(ref _streamWindowsScored);

    /// <summary>Stream anomalies published.</summary>
    public long StreamAnomalies => Interlocked.Read(ref _streamAnomalies);

    /// <summary>Stream detectors dropped because <see cref="AnomalyAlertOptions.MaxStreamSeries"/> was reached.</summary>
    public long StreamSeriesEvicted => Interlocked.Read(ref _streamSeriesEvicted);

    /// <summary>Closed windows of new stream series not scored because the detector book was full of active series.</summary>
    public long StreamSeriesSkipped => Interlocked.Read(ref _streamSeriesSkipped);

    /// <summary>Closed windows whose metrics the multivariate detectors scored together (after their warm-up).</summary>
    public long MultivariateWindowsScored => Interlocked.Read(ref _multivariateScored);

    /// <summary>Closed windows the stream monitor could not score (logged).</summary>
    public long StreamErrors => Interlocked.Read(ref _streamErrors);

    internal void CostCheckDone() => Interlocked.Increment(ref _costChecks);

    internal void CostCheckFailed() => Interlocked.Increment(ref _costCheckFailures);

    internal void Published(int count) => Interlocked.Add(ref _costPublished, count);

    internal void PublishedFileError() => Interlocked.Increment(ref _publishedFileErrors);

    internal void WebhookFailed() => Interlocked.Increment(ref _webhookFailures);

    internal void Scored() => Interlocked.Increment(ref _streamWindowsScored);

    internal void StreamPublished(int count) => Interlocked.Add(ref _streamAnomalies, count);

    internal void Evicted() => Interlocked.Increment(ref _streamSeriesEvicted);

    internal void Skipped() => Interlocked.Increment(ref _streamSeriesSkipped);

    internal void MultivariateScored() => Interlocked.Increment(ref _multivariateScored);

    internal void StreamError() => Interlocked.Increment(ref _streamErrors);
}

/// <summary>
/// Runs cost-anomaly detection (<see cref="CostAnomalyService.DetectAnomaliesAsync"/> at <see cref="AnomalyAlertOptions.FpRate"/>,
/// default range, the configured local scope) once at start, after every <see cref="Signal"/> (the REST ingest signals
/// after each committed import) and every <see cref="AnomalyAlertOptions.CheckInterval"/> on the injected clock. The
/// service publishes what it finds to <see cref="IAnomalyFeed"/>, which here is a <see cref="PublishedAnomalyFeed"/>: only
/// ids never published before go on, so a restart does not re-alert. Also attaches the webhook to both feeds.
/// </summary>
public sealed class AnomalyMonitor(
    IServiceProvider services, AnomalyAlertOptions options, AnomalyAlertCounters counters, TimeProvider time, ILogger<AnomalyMonitor> logger) : BackgroundService
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private HttpClient? _http;
    private IDisposable? _webhook;

    /// <summary>Asks for a detection run soon (after the running one, if any). Several signals before it starts make one run.</summary>
    public void Signal() => _signals.Writer.TryWrite(true);

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolving the feed reads anomaly-published.json, so a broken file stops the start with its message.
        var feed = services.GetRequiredService<IAnomalyFeed>();
        if (options.WebhookUrl is { } url)
        {
            _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var webhook = new AnomalyWebhook(url, options.WebhookRetries, _http, options.WebhookBaseDelay, time);
            _webhook = webhook.Attach(feed, ex =>
            {
                counters.WebhookFailed();
                logger.LogError("Cost anomaly webhook delivery failed: {Message}", ex.Message);
            });
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _webhook?.Dispose();
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _webhook?.Dispose();
        _http?.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var reason = "start";
        while (!stoppingToken.IsCancellationRequested)
        {
            await CheckAsync(reason, stoppingToken);
            reason = await WaitAsync(stoppingToken);
        }
    }

    private async Task<string> WaitAsync(CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var signal = _signals.Reader.WaitToReadAsync(cts.Token).AsTask();
        var timer = options.CheckInterval > TimeSpan.Zero ? Task.Delay(options.CheckInterval, time, cts.Token) : Task.Delay(Timeout.Infinite, cts.Token);
        var first = await Task.WhenAny(signal, timer);
        await cts.CancelAsync();
        while (_signals.Reader.TryRead(out _))
        {
        }

        return first == signal ? "import" : "interval";
    }

    private async Task CheckAsync(string reason, CancellationToken stoppingToken)
    {
        try
        {
            var service = services.GetRequiredService<CostAnomalyService>();
            var scope = services.GetRequiredService<ICallerScope>().Current;
            var report = await service.DetectAnomaliesAsync(new AnomalyRequest { Threshold = options.FpRate, Materiality = options.Materiality, Publish = true }, scope, stoppingToken);
            logger.LogInformation("Cost anomaly check ({Reason}): {Count} anomalies in {From:yyyy-MM-dd}..{To:yyyy-MM-dd}.", reason, report.Anomalies.Count, report.From, report.To);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // a failed check is logged and counted; the next one may succeed, the server keeps running
        catch (Exception ex)
#pragma warning restore CA1031
        {
            counters.CostCheckFailed();
            logger.LogError(ex, "Cost anomaly check ({Reason}) failed: {Message}", reason, ex.Message);
        }

        counters.CostCheckDone();
    }
}

/// <summary>
/// The server's <see cref="IAnomalyFeed"/>: passes on only anomalies whose id was never published before, and remembers
/// the ids in <c>&lt;data&gt;/anomaly-published.json</c> (a JSON array of <c>{id, published_at}</c>, written to a temporary
/// file that then replaces the old one). Ids published more than <see cref="RetentionDays"/> days ago are forgotten.
/// </summary>
public sealed class PublishedAnomalyFeed : IAnomalyFeed
{
    /// <summary>The file name inside the data folder.</summary>
    public const string FileName = "anomaly-published.json";

    /// <summary>How long a published id is remembered.</summary>
    public const int RetentionDays = 400;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly AnomalyFeed _inner = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _published;
    private readonly TimeProvider _time;
    private readonly AnomalyAlertCounters _counters;
    private readonly ILogger _logger;

    /// <summary>Reads the published ids of a data folder.</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON of this shape (the message names the file and position).</exception>
    public PublishedAnomalyFeed(string dataDir, TimeProvider time, AnomalyAlertCounters counters, ILogger<PublishedAnomalyFeed> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        Path = System.IO.Path.Combine(dataDir, FileName);
        _time = time;
        _counters = counters;
        _logger = logger;
        _published = Read(Path).ToDictionary(e => e.Id, e => e.PublishedAt, StringComparer.Ordinal);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Whether this id was published (and is still remembered).</summary>
    public bool WasPublished(string id)
    {
        lock (_lock)
        {
            return _published.ContainsKey(id);
        }
    }

    /// <inheritdoc />
    public void Publish(IReadOnlyList<StoreCostAnomaly> anomalies)
    {
        ArgumentNullException.ThrowIfNull(anomalies);
        List<StoreCostAnomaly> fresh;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            fresh = anomalies.Where(a => _published.TryAdd(a.Id, now)).ToList();
            if (fresh.Count == 0)
            {
                return;
            }

            try
            {
                Write(now);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _counters.PublishedFileError();
                _logger.LogError("Could not write {Path}: {Message}. The anomalies are published, but after a restart they may be sent again. Check the data folder's permissions and free space.", Path, ex.Message);
            }
        }

        _counters.Published(fresh.Count);
        _inner.Publish(fresh);
    }

    /// <inheritdoc />
    public IDisposable Subscribe(Action<IReadOnlyList<StoreCostAnomaly>> handler) => _inner.Subscribe(handler);

    private void Write(DateTimeOffset now)
    {
        foreach (var old in _published.Where(kv => kv.Value < now.AddDays(-RetentionDays)).Select(kv => kv.Key).ToList())
        {
            _published.Remove(old);
        }

        var folder = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(folder);
        var temp = System.IO.Path.Combine(folder, $".{FileName}.{Guid.NewGuid():N}.tmp");
        var entries = _published.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new PublishedEntry(kv.Key, kv.Value));
        File.WriteAllText(temp, JsonSerializer.Serialize(entries, Json) + "\n");
        File.Move(temp, Path, overwrite: true);
    }

    private static List<PublishedEntry> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            var entries = JsonSerializer.Deserialize<List<PublishedEntry>>(File.ReadAllText(path), Json) ?? [];
            var bad = entries.FindIndex(e => string.IsNullOrEmpty(e.Id));
            return bad < 0
                ? entries
                : throw new InvalidDataException($"{path}: entry {bad + 1} has no id. Fix or delete the file (deleting it means anomalies of the last 30 days may be alerted once more).");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"{path} line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}: not a list of published anomaly ids ({ex.Message}). Fix or delete the file (deleting it means anomalies of the last 30 days may be alerted once more).", ex);
        }
    }

    private sealed record PublishedEntry(string Id, DateTimeOffset PublishedAt);
}

/// <summary>Registration of the live anomaly alerts.</summary>
public static class AnomalyAlertServices
{
    /// <summary>Adds the published-id feed (replacing the plain <see cref="AnomalyFeed"/> of <c>AddDwcpAnomalies</c>), the
    /// stream anomaly feed, the cost and stream monitors (hosted, after the real-time engine) and the counters. Call after
    /// <c>AddDwcpAnomalies</c> and after the engine's host is registered.</summary>
    public static IServiceCollection AddDwcpAnomalyAlerts(this IServiceCollection services, DwcpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options.Anomalies);
        services.AddSingleton<AnomalyAlertCounters>();
        services.AddSingleton<IAnomalyFeed>(sp => new PublishedAnomalyFeed(
            options.DataDir, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AnomalyAlertCounters>(), sp.GetRequiredService<ILogger<PublishedAnomalyFeed>>()));
        services.AddSingleton<StreamAnomalyFeed>();
        services.AddSingleton<AnomalySubscriptionCounter>();
        services.AddSingleton<AnomalyMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<AnomalyMonitor>());
        services.AddSingleton<StreamAnomalyMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<StreamAnomalyMonitor>());
        return services;
    }
}
