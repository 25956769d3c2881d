namespace Dwcp.Streaming;

/// <summary>What the NDJSON parser and <see cref="RealtimeEngine"/> do with an event type outside <see cref="ParserOptions.AllowedEventTypes"/>.</summary>
public enum UnknownEventTypePolicy
{
    /// <summary>Accept every event type (the allowed list is ignored).</summary>
    Accept,

    /// <summary>Reject events whose type is not in the allowed list.</summary>
    Reject,
}

/// <summary>A sliding window: every <see cref="Slide"/> a window of length <see cref="Size"/> starts (epoch aligned).</summary>
/// <param name="Size">Window length.</param>
/// <param name="Slide">Distance between window starts; must divide <paramref name="Size"/>.</param>
public readonly record struct SlidingWindow(TimeSpan Size, TimeSpan Slide);

/// <summary>Validation limits of the event decoder (<see cref="Events.NdjsonEventParser"/>) and of events given in code.</summary>
public sealed class ParserOptions
{
    /// <summary>Longest accepted NDJSON line in bytes (default 1 MB). Longer lines are rejected without being decoded.</summary>
    public int MaxLineBytes { get; init; } = 1024 * 1024;

    /// <summary>How far past the injected clock an event time may be (default 5 minutes).</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Policy for event types outside <see cref="AllowedEventTypes"/> (default <see cref="UnknownEventTypePolicy.Accept"/>).</summary>
    public UnknownEventTypePolicy UnknownEventTypes { get; init; } = UnknownEventTypePolicy.Accept;

    /// <summary>Known event types; used when <see cref="UnknownEventTypes"/> is <see cref="UnknownEventTypePolicy.Reject"/>.</summary>
    public IReadOnlyList<string> AllowedEventTypes { get; init; } = ["usage", "cost", "metric"];

    /// <summary>Event type of a line without <c>event_type</c> (default <c>usage</c>).</summary>
    public string DefaultEventType { get; init; } = "usage";

    /// <summary>Most metrics one event may carry (default 256).</summary>
    public int MaxMetricsPerEvent { get; init; } = 256;
}

/// <summary>Configuration of <see cref="RealtimeEngine"/>. Defaults follow the product guide (1/5/15 min windows, 2 s latency, 10,000 buffer).</summary>
public sealed class StreamingConfig
{
    /// <summary>Tumbling event-time window sizes (default 1, 5 and 15 minutes). Windows are aligned to the Unix epoch.</summary>
    public IReadOnlyList<TimeSpan> WindowSizes { get; init; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)];

    /// <summary>Sliding windows in addition to the tumbling ones (default none).</summary>
    public IReadOnlyList<SlidingWindow> SlidingWindows { get; init; } = [];

    /// <summary>A closed window is emitted at most this long after the watermark passes its end (default 2000 ms); misses are counted.</summary>
    public int MaxLatencyMs { get; init; } = 2000;

    /// <summary>Events accepted but not yet applied to windows; beyond it the accept path answers "buffer full" (default 10,000).</summary>
    public int BufferSize { get; init; } = 10_000;

    /// <summary>
    /// Admission pacing: while the oldest accepted batch not yet applied to the windows is older than this, a batch that
    /// fits the buffer waits for the workers (up to <see cref="AdmissionMaxWait"/>) before it is accepted, so the
    /// accept → queryable latency stays near this target instead of growing with <see cref="BufferSize"/> when the
    /// workers fall behind. Default 50 ms; <see cref="TimeSpan.Zero"/> disables it.
    /// </summary>
    public TimeSpan AdmissionQueueDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest a batch waits for <see cref="AdmissionQueueDelay"/> before it is accepted anyway (default 1 s).</summary>
    public TimeSpan AdmissionMaxWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Worker partitions; series are assigned by key hash (default: processor count).</summary>
    public int ParallelismFactor { get; init; } = Environment.ProcessorCount;

    /// <summary>Watermark = max event time seen − this (default 30 s). Events behind a closed window are late.</summary>
    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Event-time span within which an <c>event_id</c> counts once (default 2 minutes).</summary>
    public TimeSpan DuplicateRetention { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Memory budget of the duplicate filter in bytes (default 64 MiB, about 4 M ids in retention).</summary>
    public long DedupMemoryBudgetBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Dimensions that, with the event type, form a series: <c>resource_id</c>, <c>provider</c>, <c>region</c>,
    /// <c>service</c>, <c>account</c> and <c>tag:NAME</c> (default provider, region, service, account).</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = ["provider", "region", "service", "account"];

    /// <summary>Relative accuracy α of the DDSketch quantiles (default 0.01).</summary>
    public double SketchRelativeAccuracy { get; init; } = 0.01;

    /// <summary>Most buckets per sketch store; beyond it the lowest buckets collapse (default 2048).</summary>
    public int SketchMaxBuckets { get; init; } = 2048;

    /// <summary>Most series per window; further series fold into one <c>__overflow__</c> series, counted (default 100,000).</summary>
    public int MaxSeriesPerWindow { get; init; } = 100_000;

    /// <summary>Default queue length of a closed-window subscriber; when full the oldest result is dropped and counted (default 1024).</summary>
    public int SubscriberQueueCapacity { get; init; } = 1024;

    /// <summary>Closed-window batches waiting for the <see cref="IWindowSink"/>; when full, workers wait (default 1024).</summary>
    public int SinkQueueCapacity { get; init; } = 1024;

    /// <summary>Closed window results kept for <see cref="RealtimeEngine.QueryClosedWindows"/> (default 10,000).</summary>
    public int ClosedWindowHistory { get; init; } = 10_000;

    /// <summary>Folder of the write-ahead log and checkpoints; <see langword="null"/> keeps everything in memory only.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Size at which the write-ahead log starts a new segment file (default 64 MiB).</summary>
    public long WalSegmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Write a checkpoint automatically after this many events accepted since the last one (default 1,000,000; 0 = never).</summary>
    public long CheckpointEveryEvents { get; init; } = 1_000_000;

    /// <summary>Decoder limits.</summary>
    public ParserOptions Parser { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and how to fix it.</summary>
    public void Validate()
    {
        if (WindowSizes.Count == 0 && SlidingWindows.Count == 0)
        {
            throw new ArgumentException("StreamingConfig.WindowSizes is empty and no SlidingWindows are set: configure at least one window size (e.g. 00:01:00).");
        }

        foreach (var size in WindowSizes)
        {
            Require(size >= TimeSpan.FromMilliseconds(1), $"StreamingConfig.WindowSizes contains {size}: window sizes must be at least 1 ms.");
        }

        foreach (var sliding in SlidingWindows)
        {
            Require(sliding.Slide >= TimeSpan.FromMilliseconds(1) && sliding.Size >= sliding.Slide && sliding.Size.Ticks % sliding.Slide.Ticks == 0,
                $"StreamingConfig.SlidingWindows contains size {sliding.Size} slide {sliding.Slide}: the slide must be at least 1 ms and divide the size.");
        }

        Require(MaxLatencyMs >= 1, $"StreamingConfig.MaxLatencyMs is {MaxLatencyMs}: it must be at least 1.");
        Require(BufferSize >= 1, $"StreamingConfig.BufferSize is {BufferSize}: it must be at least 1.");
        Require(ParallelismFactor is >= 1 and <= 1024, $"StreamingConfig.ParallelismFactor is {ParallelismFactor}: use 1 to 1024.");
        Require(AdmissionQueueDelay >= TimeSpan.Zero && AdmissionMaxWait >= TimeSpan.Zero,
            $"StreamingConfig.AdmissionQueueDelay ({AdmissionQueueDelay}) and AdmissionMaxWait ({AdmissionMaxWait}) cannot be negative.");
        Require(AllowedLateness >= TimeSpan.Zero, $"StreamingConfig.AllowedLateness is {AllowedLateness}: it cannot be negative.");
        Require(DuplicateRetention > TimeSpan.Zero, $"StreamingConfig.DuplicateRetention is {DuplicateRetention}: it must be positive.");
        Require(DedupMemoryBudgetBytes >= 64 * 1024, $"StreamingConfig.DedupMemoryBudgetBytes is {DedupMemoryBudgetBytes}: use at least 65536.");
        Require(SketchRelativeAccuracy is > 0 and < 1, $"StreamingConfig.SketchRelativeAccuracy is {SketchRelativeAccuracy}: use a value in (0, 1), e.g. 0.01.");
        Require(SketchMaxBuckets >= 16, $"StreamingConfig.SketchMaxBuckets is {SketchMaxBuckets}: use at least 16.");
        Require(MaxSeriesPerWindow >= 1, $"StreamingConfig.MaxSeriesPerWindow is {MaxSeriesPerWindow}: it must be at least 1.");
        Require(SubscriberQueueCapacity >= 1 && SinkQueueCapacity >= 1 && ClosedWindowHistory >= 0,
            "StreamingConfig.SubscriberQueueCapacity and SinkQueueCapacity must be at least 1 and ClosedWindowHistory at least 0.");
        Require(Parser.MaxLineBytes >= 64, $"ParserOptions.MaxLineBytes is {Parser.MaxLineBytes}: use at least 64.");
        foreach (var dimension in GroupBy)
        {
            Require(Windows.SeriesKeyBuilder.IsKnownDimension(dimension),
                $"StreamingConfig.GroupBy contains '{dimension}': use resource_id, provider, region, service, account or tag:NAME.");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
