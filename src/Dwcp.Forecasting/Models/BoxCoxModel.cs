using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Models;

/// <summary>
/// Runs an inner model on the Box-Cox transformed series and transforms back: the point forecast is the
/// bias-adjusted mean (<see cref="BoxCox.InverseMean"/>, with the inner model's forecast variance), intervals are the
/// inner model's quantiles transformed back (exact for a monotone transform), simulated paths are transformed path by
/// path. λ is fixed at construction (chosen once per series by <see cref="BoxCox.Guerrero"/>), so backtest refits use
/// the same transform. A history with a value ≤ 0 is passed to the inner model untransformed.
/// </summary>
internal sealed class BoxCoxModel : ModelBase
{
    private readonly ModelBase _inner;
    private readonly double _lambda;
    private readonly bool _biasAdjust;

    public BoxCoxModel(ModelBase inner, double lambda, bool biasAdjust = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _lambda = lambda;
        _biasAdjust = biasAdjust;
    }

    public override string Name => _inner.Name;

    public double Lambda => _lambda;

    public override int MinimumLength(IReadOnlyList<int> periods) => _inner.MinimumLength(periods);

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        foreach (var v in y)
        {
            if (!(v > 0))
            {
                return _inner.Run(y, horizon, periods);
            }
        }

        double lambda = _lambda;
        var w = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            w[i] = BoxCox.Transform(y[i], lambda);
        }

        var o = _inner.Run(w, horizon, periods);
        var variance = Variances(o, horizon);
        var mean = new double[horizon];
        for (int i = 0; i < horizon; i++)
        {
            mean[i] = _biasAdjust && variance is not null ? BoxCox.InverseMean(o.Mean[i], variance[i], lambda) : BoxCox.Inverse(o.Mean[i], lambda);
        }

        double[][]? paths = o.Paths is { } ps ? [.. ps.Select(p => p.Select(v => BoxCox.Inverse(v, lambda)).ToArray())] : null;
        Func<double, (double[] Lo, double[] Hi)>? bounds = null;
        if (o.StdDev is not null || o.Bounds is not null)
        {
            bounds = level =>
            {
                var (lo, hi) = IntervalsFrom(o with { Paths = null }, level);
                var l = new double[horizon];
                var u = new double[horizon];
                for (int i = 0; i < horizon; i++)
                {
                    l[i] = Math.Min(mean[i], BoxCox.Inverse(lo[i], lambda));
                    u[i] = Math.Max(mean[i], BoxCox.Inverse(hi[i], lambda));
                }

                return (l, u);
            };
            paths = null;
        }

        string detail = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"BoxCox({lambda:0.00})+{o.Detail}");
        var innerFixed = o.Fixed ?? _inner;
        return new ModelOutput(detail, mean, null, paths, new BoxCoxModel(innerFixed, lambda, _biasAdjust), bounds);
    }

    /// <summary>Forecast variance per step on the transformed scale: σ² from the analytic sd, else the paths' sample variance.</summary>
    private static double[]? Variances(ModelOutput o, int horizon)
    {
        if (o.StdDev is { } sd)
        {
            return [.. sd.Select(s => s * s)];
        }

        if (o.Paths is { Length: > 1 } ps)
        {
            var v = new double[horizon];
            var col = new double[ps.Length];
            for (int i = 0; i < horizon; i++)
            {
                for (int p = 0; p < ps.Length; p++)
                {
                    col[p] = ps[p][i];
                }

                v[i] = Stats.Variance(col);
            }

            return v;
        }

        return null;
    }
}
