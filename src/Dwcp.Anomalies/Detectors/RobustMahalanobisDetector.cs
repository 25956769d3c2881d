using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>Result of the multivariate detector for aligned series.</summary>
/// <param name="Distances">Squared Mahalanobis distance D² of each time point.</param>
/// <param name="PValues">χ²(d) upper-tail probability of each D².</param>
/// <param name="Contributions">Per point and series, zᵢ·(S⁻¹z)ᵢ: the part of D² each series carries (sums to D²).</param>
/// <param name="Shrinkage">The Ledoit–Wolf shrinkage intensity λ used.</param>
public sealed record MultivariateResult(double[] Distances, double[] PValues, double[][] Contributions, double Shrinkage);

/// <summary>
/// Multivariate anomalies across related metrics (batch): each series becomes robust z-scores of its robust
/// seasonal-trend residual; their covariance S is estimated from z clipped at ±3, shrunk towards μI with the
/// Ledoit–Wolf intensity, then re-estimated once without the points whose D² exceeds the χ²(d) 97.5% quantile
/// (a one-step reweighted, MCD-like estimate). D²ₜ = zₜᵀ S⁻¹ zₜ ~ χ²(d) for normal points, so pₜ = P(χ²(d) ≥ D²ₜ).
/// It catches broken relationships (two metrics that move together diverging) that no single series shows.
/// </summary>
public static class RobustMahalanobisDetector
{
    /// <summary>Scores aligned series (each the same length).</summary>
    /// <param name="series">d ≥ 2 series of n values each.</param>
    /// <param name="period">Seasonal period for the decomposition; null = detect per series, 0 = none.</param>
    public static MultivariateResult Detect(IReadOnlyList<double[]> series, int? period = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count < 2)
        {
            throw new ArgumentException("The multivariate detector needs at least 2 series.", nameof(series));
        }

        var n = series[0].Length;
        if (series.Any(s => s.Length != n))
        {
            throw new ArgumentException($"All series must have the same length (the first has {n}): align them on time first.", nameof(series));
        }

        var d = series.Count;
        var z = new double[n][];
        for (var t = 0; t < n; t++)
        {
            z[t] = new double[d];
        }

        for (var j = 0; j < d; j++)
        {
            var zj = RobustDecomposition.RobustZ(RobustDecomposition.Decompose(series[j], period).Residual);
            for (var t = 0; t < n; t++)
            {
                z[t][j] = zj[t];
            }
        }

        var all = Enumerable.Range(0, n).ToArray();
        var (cov, lambda) = ShrunkCovariance(z, all, clip: 3);
        var inv = Invert(cov);
        var cut = ChiSquareQuantile(0.975, d);
        var inliers = all.Where(t => Quadratic(z[t], inv) <= cut).ToArray();
        if (inliers.Length > d * 5)
        {
            (cov, lambda) = ShrunkCovariance(z, inliers, clip: double.PositiveInfinity);
            // Consistency: the covariance of χ²-truncated normal data is too small by P(χ²(d+2) ≤ c)/0.975.
            var factor = 0.975 / (1 - RobustStats.ChiSquareSurvival(cut, d + 2));
            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < d; b++)
                {
                    cov[a, b] *= factor;
                }
            }

            inv = Invert(cov);
        }

        var distances = new double[n];
        var pValues = new double[n];
        var contributions = new double[n][];
        for (var t = 0; t < n; t++)
        {
            var sz = new double[d];
            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < d; b++)
                {
                    sz[a] += inv[a, b] * z[t][b];
                }
            }

            contributions[t] = new double[d];
            for (var a = 0; a < d; a++)
            {
                contributions[t][a] = z[t][a] * sz[a];
                distances[t] += contributions[t][a];
            }

            pValues[t] = RobustStats.ChiSquareSurvival(distances[t], d);
        }

        return new MultivariateResult(distances, pValues, contributions, lambda);
    }

    /// <summary>Covariance (about 0: z is median-centred) of the rows, shrunk towards μI with the Ledoit–Wolf λ.</summary>
    internal static (double[,] Cov, double Lambda) ShrunkCovariance(double[][] z, int[] rows, double clip)
    {
        var d = z[0].Length;
        var m = rows.Length;
        var x = rows.Select(t => z[t].Select(v => Math.Clamp(v, -clip, clip)).ToArray()).ToArray();
        var s = new double[d, d];
        foreach (var row in x)
        {
            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < d; b++)
                {
                    s[a, b] += row[a] * row[b] / m;
                }
            }
        }

        double mu = 0;
        for (var a = 0; a < d; a++)
        {
            mu += s[a, a] / d;
        }

        // Ledoit & Wolf (2004): λ = min(1, b̄² / d²) with d² = ‖S − μI‖²_F and b̄² = (1/m²) Σ ‖x xᵀ − S‖²_F.
        double dist2 = 0, b2 = 0;
        for (var a = 0; a < d; a++)
        {
            for (var b = 0; b < d; b++)
            {
                var e = s[a, b] - (a == b ? mu : 0);
                dist2 += e * e;
            }
        }

        foreach (var row in x)
        {
            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < d; b++)
                {
                    var e = (row[a] * row[b]) - s[a, b];
                    b2 += e * e;
                }
            }
        }

        b2 /= (double)m * m;
        var lambda = dist2 <= 0 ? 1.0 : Math.Min(1.0, b2 / dist2);
        var cov = new double[d, d];
        for (var a = 0; a < d; a++)
        {
            for (var b = 0; b < d; b++)
            {
                cov[a, b] = ((1 - lambda) * s[a, b]) + (a == b ? lambda * mu : 0);
            }

            cov[a, a] = Math.Max(cov[a, a], 1e-9);
        }

        return (cov, lambda);
    }

    internal static double Quadratic(double[] v, double[,] inv)
    {
        double q = 0;
        for (var a = 0; a < v.Length; a++)
        {
            for (var b = 0; b < v.Length; b++)
            {
                q += v[a] * inv[a, b] * v[b];
            }
        }

        return q;
    }

    /// <summary>Gauss–Jordan inverse with partial pivoting (the shrunk covariance is positive definite).</summary>
    internal static double[,] Invert(double[,] m)
    {
        var d = m.GetLength(0);
        var a = (double[,])m.Clone();
        var inv = new double[d, d];
        for (var i = 0; i < d; i++)
        {
            inv[i, i] = 1;
        }

        for (var c = 0; c < d; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < d; r++)
            {
                if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c]))
                {
                    pivot = r;
                }
            }

            for (var k = 0; k < d; k++)
            {
                (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
                (inv[c, k], inv[pivot, k]) = (inv[pivot, k], inv[c, k]);
            }

            var p = a[c, c];
            for (var k = 0; k < d; k++)
            {
                a[c, k] /= p;
                inv[c, k] /= p;
            }

            for (var r = 0; r < d; r++)
            {
                if (r != c && a[r, c] != 0)
                {
                    var f = a[r, c];
                    for (var k = 0; k < d; k++)
                    {
                        a[r, k] -= f * a[c, k];
                        inv[r, k] -= f * inv[c, k];
                    }
                }
            }
        }

        return inv;
    }

    internal static double ChiSquareQuantile(double q, int dof)
    {
        double lo = 0, hi = 10 + (10 * dof);
        for (var i = 0; i < 100; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (1 - RobustStats.ChiSquareSurvival(mid, dof) < q)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }
}
