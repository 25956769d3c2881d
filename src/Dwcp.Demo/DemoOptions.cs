namespace Dwcp.Demo;

/// <summary>Settings of the demo data generator. The defaults give the documented 13-month demo estate.</summary>
public sealed record DemoOptions
{
    /// <summary>Seed of every random draw. The same seed always gives the same rows and incidents.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>First UTC day of the generated window (inclusive).</summary>
    public DateOnly From { get; init; } = new(2023, 12, 1);

    /// <summary>Last UTC day of the generated window (inclusive).</summary>
    public DateOnly To { get; init; } = new(2024, 12, 31);
}
