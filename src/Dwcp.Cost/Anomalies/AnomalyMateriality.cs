namespace Dwcp.Cost.Anomalies;

/// <summary>
/// The materiality floor of a cost anomaly: a flagged day is reported only when its dollar impact |actual − expected|
/// is at least <c>max(MinImpact, MinShare · S)</c>, where S is the series' typical daily spend (the median daily cost of
/// the 28 days before the day). A statistically clear but tiny deviation (a $3 step on a $13-a-day cluster, a 4% swing)
/// is inside any budget's tolerance and is not worth a person's attention. The floor applies to every part of the day
/// (usage, recurring), so a material change of a recurring charge must also pass it.
/// </summary>
/// <param name="MinImpact">Smallest impact reported, in the series' currency (default 10).</param>
/// <param name="MinShare">Smallest impact reported, as a share of the series' typical daily spend (default 0.10: a tenth of a normal day).</param>
public sealed record AnomalyMateriality(decimal MinImpact = 10m, double MinShare = 0.10)
{
    /// <summary>The defaults: at least 10 currency units and at least a tenth of a normal day's spend.</summary>
    public static AnomalyMateriality Default { get; } = new();

    /// <summary>No floor: every statistically confirmed deviation is reported.</summary>
    public static AnomalyMateriality None { get; } = new(0m, 0);

    /// <summary>Days before a day whose median cost is the series' typical daily spend.</summary>
    public const int SpendWindowDays = 28;

    /// <summary>The floor for a series whose typical daily spend is <paramref name="typicalDailySpend"/>.</summary>
    public decimal Floor(decimal typicalDailySpend) => Math.Max(MinImpact, (decimal)MinShare * Math.Abs(typicalDailySpend));

    /// <summary>Throws when a field is out of range, naming it and the allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">MinImpact is negative or MinShare is not in [0, 1].</exception>
    public void Validate()
    {
        if (MinImpact < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinImpact), MinImpact, "The materiality floor's MinImpact is an amount in the series' currency and must be 0 or more (0 = no absolute floor).");
        }

        if (!(MinShare >= 0 && MinShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinShare), MinShare, "The materiality floor's MinShare is a share of the typical daily spend and must be between 0 and 1 (e.g. 0.1 for a tenth; 0 = no relative floor).");
        }
    }
}
