namespace Dwcp.Anomalies.Detectors;

/// <summary>Settings of <see cref="ResonanceDetector"/>. The defaults are the ones measured in docs/anomalies.md.</summary>
public sealed record ResonanceOptions
{
    /// <summary>
    /// Rows that only train the network (no detection), and from which the down-sampling step and the vigilance
    /// adaptation period are derived. A fixed count, so a file cut short scores the rows it keeps identically.
    /// </summary>
    public int WarmupLength { get; init; } = 750;

    /// <summary>Down-sampled points described by one feature vector (a power of two).</summary>
    public int FeatureWindow { get; init; } = 8;

    /// <summary>How many feature windows the warm-up spans: step = max(1, ⌊warm-up / (window · this)⌋) rows.</summary>
    public int WindowsPerWarmup { get; init; } = 13;

    /// <summary>Levels the scaled value is rounded to.</summary>
    public int Levels { get; init; } = 80;

    /// <summary>A level closer than this (in [0, 1] units) to the typical (median) level is set to it.</summary>
    public double MedianSnap { get; init; } = 0.075;

    /// <summary>Vigilance used to estimate the starting vigilance from the warm-up.</summary>
    public double InitialVigilance { get; init; } = 0.8;

    /// <summary>The most categories the network keeps (the least recently matched is replaced when full).</summary>
    public int MaxCategories { get; init; } = 1000;

    /// <summary>Down-sampled points whose median is the typical level.</summary>
    public int TypicalHistory { get; init; } = 2048;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(FeatureWindow, 2);
        if ((FeatureWindow & (FeatureWindow - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FeatureWindow), FeatureWindow, "The feature window must be a power of two (e.g. 8).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(WindowsPerWarmup, 2);
        if (WarmupLength < 4 * FeatureWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupLength), WarmupLength, $"The warm-up must be at least {4 * FeatureWindow} rows (4 feature windows).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Levels, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCategories, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(TypicalHistory, 1);
        if (!(MedianSnap >= 0 && MedianSnap < 1) || !(InitialVigilance > 0 && InitialVigilance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MedianSnap), $"MedianSnap ({MedianSnap}) must be in [0, 1) and InitialVigilance ({InitialVigilance}) in (0, 1).");
        }
    }
}
