using System.Diagnostics.Tracing;

namespace Dwcp.Bench.Streaming;

/// <summary>Samples allocations by type through the runtime's GC AllocationTick events (about one per 100 KB).</summary>
internal sealed class AllocationProfiler : EventListener
{
    private readonly Dictionary<string, long> _bytes = [];

    public IReadOnlyDictionary<string, long> BytesByType
    {
        get
        {
            lock (_bytes)
            {
                return new Dictionary<string, long>(_bytes);
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.Payload is null)
        {
            return;
        }

        var type = eventData.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t]?.ToString() ?? "?" : "?";
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(eventData.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        lock (_bytes)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }
}
