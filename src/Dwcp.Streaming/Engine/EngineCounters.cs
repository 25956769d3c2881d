namespace Dwcp.Streaming.Engine;

/// <summary>Engine counters, updated with interlocked operations from the accept path and the workers.</summary>
internal sealed class EngineCounters
{
#pragma warning disable CA1051, SA1401 // fields so that they can be passed by ref to Interlocked
    public long Accepted;
    public long Rejected;
    public long Duplicates;
    public long Late;
    public long WindowsClosed;
    public long WindowResultsEmitted;
    public long LatencyPromiseBroken;
    public long BufferFullRejections;
    public long SeriesOverflow;
    public long CustomAggregationOverflow;
    public long SubscriberDrops;
    public long SinkFailures;
    public long LateSinkFailures;
#pragma warning restore CA1051, SA1401

    public void Increment(ref long counter) => Interlocked.Increment(ref counter);

    public void Add(ref long counter, long value) => Interlocked.Add(ref counter, value);

    public static long Read(ref long counter) => Interlocked.Read(ref counter);

    public void Write(BinaryWriter writer)
    {
        foreach (var value in new[] { Accepted, Rejected, Duplicates, Late, WindowsClosed, WindowResultsEmitted, LatencyPromiseBroken, BufferFullRejections, SeriesOverflow, CustomAggregationOverflow, SubscriberDrops, SinkFailures, LateSinkFailures })
        {
            writer.Write(value);
        }
    }

    public void Read(BinaryReader reader)
    {
        Accepted = reader.ReadInt64();
        Rejected = reader.ReadInt64();
        Duplicates = reader.ReadInt64();
        Late = reader.ReadInt64();
        WindowsClosed = reader.ReadInt64();
        WindowResultsEmitted = reader.ReadInt64();
        LatencyPromiseBroken = reader.ReadInt64();
        BufferFullRejections = reader.ReadInt64();
        SeriesOverflow = reader.ReadInt64();
        CustomAggregationOverflow = reader.ReadInt64();
        SubscriberDrops = reader.ReadInt64();
        SinkFailures = reader.ReadInt64();
        LateSinkFailures = reader.ReadInt64();
    }
}

/// <summary>Thread-safe fixed-bucket latency histogram.</summary>
internal sealed class LatencyHistogram
{
    private static readonly double[] Bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, double.PositiveInfinity];
    private readonly long[] _counts = new long[Bounds.Length];
    private long _sumMicros;

    public void Observe(TimeSpan elapsed)
    {
        var seconds = elapsed.TotalSeconds;
        var i = 0;
        while (seconds > Bounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicros, (long)(elapsed.Ticks / 10.0));
    }

    public HistogramSnapshot Snapshot()
    {
        var cumulative = new long[Bounds.Length];
        long running = 0;
        for (var i = 0; i < Bounds.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return new HistogramSnapshot(Bounds, cumulative, running, Interlocked.Read(ref _sumMicros) / 1e6);
    }
}
