namespace Dwcp.Core.Costs;

/// <summary>Which stored data answered a cost query.</summary>
public enum CostSource
{
    /// <summary>The raw FOCUS rows.</summary>
    Raw,

    /// <summary>The daily summary (rollup) of the rows: same numbers, far fewer rows to read.</summary>
    Rollup,
}

/// <summary>An interval around an estimated amount.</summary>
/// <param name="Lower">Lower end.</param>
/// <param name="Upper">Upper end.</param>
public readonly record struct CostInterval(decimal Lower, decimal Upper)
{
    /// <summary>True when <paramref name="value"/> lies in the interval (ends included).</summary>
    public bool Contains(decimal value) => value >= Lower && value <= Upper;
}

/// <summary>
/// How an amount estimated from a row sample may differ from the exact answer: an approximate 95% confidence interval
/// per measure. See docs/cost-queries.md ("Approximate queries") for the formula.
/// </summary>
/// <param name="Ratio">Fraction of rows sampled, in (0, 1].</param>
/// <param name="RowsScanned">Rows actually aggregated (in the sample).</param>
/// <param name="Billed">95% interval of the BilledCost sum.</param>
/// <param name="Effective">95% interval of the EffectiveCost sum.</param>
/// <param name="List">95% interval of the ListCost sum.</param>
public sealed record CostEstimate(double Ratio, long RowsScanned, CostInterval Billed, CostInterval Effective, CostInterval List)
{
    /// <summary>The two-sided 95% quantile of the standard normal distribution.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// Scales a sample sum to the whole (<c>sum / ratio</c>) and gives its 95% interval under Bernoulli sampling of rows with
    /// probability <paramref name="ratio"/>: <c>Var = (1 − p) / p² · Σ y²</c> over the sampled rows, interval
    /// <c>estimate ± 1.96 · √Var</c>.
    /// </summary>
    /// <param name="ratio">Sampling probability p in (0, 1].</param>
    /// <param name="sampleSum">Σ y over the sampled rows.</param>
    /// <param name="sampleSumOfSquares">Σ y² over the sampled rows.</param>
    public static (decimal Estimate, CostInterval Interval) Scale(double ratio, decimal sampleSum, double sampleSumOfSquares)
    {
        if (!(ratio > 0 && ratio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The sampling ratio must be in (0, 1].");
        }

        var estimate = ratio == 1 ? sampleSum : decimal.Round(sampleSum / (decimal)ratio, 15);
        var variance = (1 - ratio) / (ratio * ratio) * Math.Max(0, sampleSumOfSquares);
        var half = (decimal)(Z95 * Math.Sqrt(variance));
        return (estimate, new CostInterval(estimate - half, estimate + half));
    }

    /// <summary>Rows of the whole estimated from rows of the sample (<c>round(n / p)</c>).</summary>
    public static long ScaleCount(double ratio, long sampleRows) => ratio == 1 ? sampleRows : (long)Math.Round(sampleRows / ratio);
}

/// <summary>Percentiles of per-row cost (of the ranked measure) in a line or total.</summary>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
public sealed record CostPercentiles(double P95, double P99);

/// <summary>Says that an answer is an estimate from a sample of rows, not exact.</summary>
/// <param name="Ratio">Fraction of rows sampled, in (0, 1].</param>
/// <param name="RowsScanned">Rows in the sample over the whole answer (all currencies).</param>
public sealed record CostApproximation(double Ratio, long RowsScanned);
