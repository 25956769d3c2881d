using Dwcp.Streaming;

namespace Dwcp.Server;

/// <summary>The engine's configuration as the server runs it: every setting of <see cref="DwcpServerOptions.Streaming"/>
/// (so a setting mapped from the configuration file is never lost on the way), with the write-ahead log in the data
/// folder's <c>stream/</c> unless a folder is set.</summary>
internal static class EngineConfig
{
    public static string DataDirectory(DwcpServerOptions options) => options.Streaming.DataDirectory ?? Path.Combine(options.DataDir, "stream");

    public static StreamingConfig For(DwcpServerOptions options)
    {
        var s = options.Streaming;
        return new StreamingConfig
        {
            WindowSizes = s.WindowSizes,
            SlidingWindows = s.SlidingWindows,
            MaxLatencyMs = s.MaxLatencyMs,
            BufferSize = s.BufferSize,
            AdmissionQueueDelay = s.AdmissionQueueDelay,
            AdmissionMaxWait = s.AdmissionMaxWait,
            ParallelismFactor = s.ParallelismFactor,
            AllowedLateness = s.AllowedLateness,
            DuplicateRetention = s.DuplicateRetention,
            DedupMemoryBudgetBytes = s.DedupMemoryBudgetBytes,
            GroupBy = s.GroupBy,
            SketchRelativeAccuracy = s.SketchRelativeAccuracy,
            SketchMaxBuckets = s.SketchMaxBuckets,
            MaxSeriesPerWindow = s.MaxSeriesPerWindow,
            SubscriberQueueCapacity = s.SubscriberQueueCapacity,
            SinkQueueCapacity = s.SinkQueueCapacity,
            ClosedWindowHistory = s.ClosedWindowHistory,
            DataDirectory = DataDirectory(options),
            WalSegmentBytes = s.WalSegmentBytes,
            CheckpointEveryEvents = s.CheckpointEveryEvents,
            Parser = s.Parser,
        };
    }
}
