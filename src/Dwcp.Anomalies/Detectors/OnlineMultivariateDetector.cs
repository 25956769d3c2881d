using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>The online multivariate verdict on one time point.</summary>
/// <param name="Distance">Squared Mahalanobis distance D² of the point from the recent past.</param>
/// <param name="PValue">Tail probability of D² under the detector's own past distances (1 while warming up).</param>
/// <param name="IsAnomaly">True when <paramref name="PValue"/> ≤ the false-positive rate.</param>
/// <param name="Expected">Each metric's expected value: the median of its recent past.</param>
/// <param name="Z">Each metric's robust z-score against its recent past (median/MAD).</param>
/// <param name="Contributions">zᵢ·(S⁻¹z)ᵢ per metric: the part of D² each metric carries (they sum to D²).</param>
/// <param name="Influence">
/// Per metric, ((S⁻¹z)ⱼ)²/(S⁻¹)ⱼⱼ: how much D² falls when the metric is left out, i.e. how inconsistent it is with the
/// others. Both sides of a broken pair score high here even when one of them barely moved.
/// </param>
/// <param name="Drivers">Indices of the metrics that drive the distance: influence ≥ half of D², largest first.</param>
public sealed record MultivariateScore(double Distance, double PValue, bool IsAnomaly, double[] Expected, double[] Z, double[] Contributions, double[] Influence, int[] Drivers);

/// <summary>
/// Multivariate anomalies across related metrics, online (each point scored from the points before it only), e.g. a
/// server's cpu, memory and disk together. It keeps the last <c>history</c> vectors. For a new vector x each metric gets
/// a robust z-score zⱼ = (xⱼ − medianⱼ)/(1.4826·MADⱼ) against its own recent values; the covariance S of the recent
/// z-vectors is estimated as in <see cref="RobustMahalanobisDetector"/> (clipped at ±3, Ledoit–Wolf shrinkage, one
/// reweighting without the χ² 97.5% outliers), and D² = zᵀS⁻¹z, split per metric as zⱼ(S⁻¹z)ⱼ; a metric's influence is
/// the fall of D² without it, ((S⁻¹z)ⱼ)²/(S⁻¹)ⱼⱼ, and the drivers are the metrics whose influence is at least half of D². D² becomes a p-value
/// against the detector's own past distances (a conformal p with an exponential tail, as the online ensemble does), so
/// P(p ≤ α) ≈ α on normal data whatever the metrics' distributions. It catches broken relationships (two metrics that
/// move together diverging) that no single metric shows. Memory: history·d doubles plus the calibration window.
/// </summary>
public sealed class OnlineMultivariateDetector
{
    private readonly double[][] _ring;
    private readonly int _minHistory;
    private readonly double _fpRate;
    private readonly TailCalibrator _calibrator;
    private long _count;

    /// <summary>Creates a detector for <paramref name="dimensions"/> metrics.</summary>
    /// <param name="dimensions">Number of metrics d (2 to 32).</param>
    /// <param name="fpRate">Target false-positive rate α in (0, 1).</param>
    /// <param name="history">Past vectors kept for the location, scale and covariance.</param>
    /// <param name="minHistory">Past vectors needed before distances are computed.</param>
    /// <param name="calibrationWindow">Past distances kept for the p-value.</param>
    /// <param name="minCalibration">Past distances needed before p-values drop below 1.</param>
    public OnlineMultivariateDetector(int dimensions, double fpRate = 0.05, int history = 120, int minHistory = 30, int calibrationWindow = 500, int minCalibration = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, 32);
        if (!(fpRate > 0 && fpRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fpRate), fpRate, "The false-positive rate must be between 0 and 1 (e.g. 0.05).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(minHistory, 5 * dimensions);
        ArgumentOutOfRangeException.ThrowIfLessThan(history, minHistory);
        Dimensions = dimensions;
        _fpRate = fpRate;
        _minHistory = minHistory;
        _ring = new double[history][];
        _calibrator = new TailCalibrator(calibrationWindow, minCalibration);
    }

    /// <summary>Number of metrics.</summary>
    public int Dimensions { get; }

    /// <summary>Vectors seen so far.</summary>
    public long Count => _count;

    /// <summary>Scores the next vector (one value per metric, in a fixed order), then adds it to the history.</summary>
    /// <returns>The verdict; null while fewer than <c>minHistory</c> vectors have been seen.</returns>
    /// <exception cref="ArgumentException">Wrong number of values, or a value that is not finite.</exception>
    public MultivariateScore? Score(ReadOnlySpan<double> values)
    {
        if (values.Length != Dimensions)
        {
            throw new ArgumentException($"Expected {Dimensions} values (one per metric), got {values.Length}.", nameof(values));
        }

        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException($"Value {v} is not a finite number.", nameof(values));
            }
        }

        MultivariateScore? result = null;
        var seen = (int)Math.Min(_count, _ring.Length);
        if (seen >= _minHistory)
        {
            result = Evaluate(values, seen);
        }

        var slot = (int)(_count % _ring.Length);
        _ring[slot] ??= new double[Dimensions];
        values.CopyTo(_ring[slot]);
        _count++;
        return result;
    }

    private MultivariateScore Evaluate(ReadOnlySpan<double> x, int seen)
    {
        var d = Dimensions;
        var past = new double[seen][];
        for (var t = 0; t < seen; t++)
        {
            past[t] = new double[d];
        }

        var z = new double[d];
        var expected = new double[d];
        var column = new double[seen];
        for (var j = 0; j < d; j++)
        {
            for (var t = 0; t < seen; t++)
            {
                column[t] = _ring[t][j];
            }

            Array.Sort(column);
            var median = RobustStats.MedianOfSorted(column);
            var scale = Math.Max(RobustStats.MadToSigma * RobustStats.MadOfSorted(column), OnlineSeasonalResidualDetector.ScaleFloor * (1 + Math.Abs(median)));
            for (var t = 0; t < seen; t++)
            {
                past[t][j] = (_ring[t][j] - median) / scale;
            }

            z[j] = (x[j] - median) / scale;
            expected[j] = median;
        }

        var all = Enumerable.Range(0, seen).ToArray();
        var (cov, _) = RobustMahalanobisDetector.ShrunkCovariance(past, all, clip: 3);
        var inv = RobustMahalanobisDetector.Invert(cov);
        var cut = RobustMahalanobisDetector.ChiSquareQuantile(0.975, d);
        var inliers = all.Where(t => RobustMahalanobisDetector.Quadratic(past[t], inv) <= cut).ToArray();
        if (inliers.Length > d * 5)
        {
            (cov, _) = RobustMahalanobisDetector.ShrunkCovariance(past, inliers, clip: double.PositiveInfinity);
            inv = RobustMahalanobisDetector.Invert(cov);
        }

        var contributions = new double[d];
        var influence = new double[d];
        double distance = 0;
        for (var a = 0; a < d; a++)
        {
            double sz = 0;
            for (var b = 0; b < d; b++)
            {
                sz += inv[a, b] * z[b];
            }

            contributions[a] = z[a] * sz;
            influence[a] = sz * sz / inv[a, a];
            distance += contributions[a];
        }

        var p = _calibrator.PValue(distance);
        _calibrator.Add(distance);
        return new MultivariateScore(distance, p, p <= _fpRate, expected, z, contributions, influence, DriversOf(influence, distance));
    }

    /// <summary>Share of D² a metric's influence must reach for it to be named a driver.</summary>
    public const double DriverShare = 0.5;

    /// <summary>The metrics whose influence is at least <see cref="DriverShare"/> of D², largest first (at least the largest one).</summary>
    internal static int[] DriversOf(double[] influence, double distance)
    {
        var order = Enumerable.Range(0, influence.Length).OrderByDescending(j => influence[j]).ToArray();
        var drivers = order.Where(j => influence[j] > 0 && influence[j] >= DriverShare * distance).ToList();
        if (drivers.Count == 0 && influence[order[0]] > 0)
        {
            drivers.Add(order[0]);
        }

        return [.. drivers];
    }
}
