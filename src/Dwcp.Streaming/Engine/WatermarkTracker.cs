namespace Dwcp.Streaming.Engine;

/// <summary>
/// Event-time watermark: max event time seen − allowed lateness, advanced further by processing time while the max does
/// not move (so windows close on a timer when no events arrive). Monotonic. Guarded by the engine's accept gate.
/// </summary>
internal sealed class WatermarkTracker(long latenessTicks)
{
    private long _maxEventTicks = long.MinValue;
    private long _lastAdvanceAt; // processing time (epoch ticks) when _maxEventTicks last grew
    private long _published = long.MinValue;

    public long MaxEventTicks => _maxEventTicks;

    public long Published => Volatile.Read(ref _published);

    /// <summary>Watermark at processing time <paramref name="nowTicks"/>.</summary>
    public long Current(long nowTicks)
    {
        if (_maxEventTicks == long.MinValue)
        {
            return _published;
        }

        var idle = _maxEventTicks - latenessTicks + Math.Max(0, nowTicks - _lastAdvanceAt);
        return Math.Max(_published, idle);
    }

    public void Observe(long eventTicks, long nowTicks)
    {
        if (eventTicks > _maxEventTicks)
        {
            _maxEventTicks = eventTicks;
            _lastAdvanceAt = nowTicks;
        }
    }

    /// <summary>Fixes the watermark at <paramref name="nowTicks"/> and describes it for the workers.</summary>
    public WatermarkMarker Publish(long nowTicks)
    {
        Volatile.Write(ref _published, Current(nowTicks));
        return new WatermarkMarker(_published, nowTicks,
            _maxEventTicks == long.MinValue ? long.MinValue : _maxEventTicks - latenessTicks, _lastAdvanceAt);
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_maxEventTicks);
        writer.Write(_lastAdvanceAt);
        writer.Write(_published);
    }

    public void Read(BinaryReader reader)
    {
        _maxEventTicks = reader.ReadInt64();
        _lastAdvanceAt = reader.ReadInt64();
        _published = reader.ReadInt64();
    }

    /// <summary>Raises the published watermark to a horizon recorded in the write-ahead log (replay).</summary>
    public void RaiseTo(long horizon)
    {
        if (horizon > _published)
        {
            Volatile.Write(ref _published, horizon);
        }
    }
}

/// <summary>A watermark as sent to the workers, with what is needed to know when it passed a window end.</summary>
/// <param name="Watermark">Watermark (epoch ticks).</param>
/// <param name="AtTicks">Processing time of the publication (epoch ticks).</param>
/// <param name="EventWatermark">max event time − lateness at that time.</param>
/// <param name="LastAdvanceAt">Processing time when the max event time last grew.</param>
internal readonly record struct WatermarkMarker(long Watermark, long AtTicks, long EventWatermark, long LastAdvanceAt)
{
    /// <summary>Processing time at which the watermark reached <paramref name="endTicks"/>.</summary>
    public long PassedAt(long endTicks)
    {
        if (endTicks <= EventWatermark || EventWatermark == long.MinValue)
        {
            return AtTicks;
        }

        return Math.Min(AtTicks, LastAdvanceAt + (endTicks - EventWatermark));
    }
}
