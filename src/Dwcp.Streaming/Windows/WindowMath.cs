namespace Dwcp.Streaming.Windows;

/// <summary>A configured window: tumbling when slide = size. Starts are aligned to the Unix epoch.</summary>
internal sealed record WindowSpec(int Index, long SizeTicks, long SlideTicks)
{
    public TimeSpan Size => TimeSpan.FromTicks(SizeTicks);

    public TimeSpan Slide => TimeSpan.FromTicks(SlideTicks);

    /// <summary>Start of the newest window containing <paramref name="ticks"/>; older ones start one slide earlier each.</summary>
    public long LastStart(long ticks) => ticks - Mod(ticks, SlideTicks);

    /// <summary>End of the oldest window containing <paramref name="ticks"/> (the first to close).</summary>
    public long FirstEnd(long ticks)
    {
        var start = LastStart(ticks);
        while (start - SlideTicks > ticks - SizeTicks)
        {
            start -= SlideTicks;
        }

        return start + SizeTicks;
    }

    public static WindowSpec[] FromConfig(StreamingConfig config)
    {
        var specs = new List<WindowSpec>();
        foreach (var size in config.WindowSizes.Distinct())
        {
            specs.Add(new WindowSpec(specs.Count, size.Ticks, size.Ticks));
        }

        foreach (var sliding in config.SlidingWindows.Distinct())
        {
            if (!specs.Exists(s => s.SizeTicks == sliding.Size.Ticks && s.SlideTicks == sliding.Slide.Ticks))
            {
                specs.Add(new WindowSpec(specs.Count, sliding.Size.Ticks, sliding.Slide.Ticks));
            }
        }

        return [.. specs];
    }

    /// <summary>Pane width: the greatest common divisor of every size and slide, so each window is a union of panes.</summary>
    public static long PaneTicksOf(WindowSpec[] specs)
    {
        long g = 0;
        foreach (var spec in specs)
        {
            g = Gcd(Gcd(g, spec.SizeTicks), spec.SlideTicks);
        }

        return g;
    }

    public static long Mod(long a, long b)
    {
        var r = a % b;
        return r < 0 ? r + b : r;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
