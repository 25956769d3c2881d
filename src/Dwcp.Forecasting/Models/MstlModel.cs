using Dwcp.Forecasting.Analysis;

namespace Dwcp.Forecasting.Models;

/// <summary>
/// Multiple-seasonality model: MSTL-style decomposition over every period with two full cycles, automatic non-seasonal
/// ETS on the seasonally adjusted series, and seasonal naive of each seasonal component (its last cycle repeated).
/// Intervals are those of the ETS model shifted by the seasonal forecast (as R's <c>stlf</c>/<c>mstl</c> forecasts).
/// </summary>
public sealed class MstlModel : ModelBase
{
    private readonly EtsSpec? _fixed;

    /// <summary>Automatic MSTL + ETS.</summary>
    public MstlModel()
    {
    }

    internal MstlModel(EtsSpec spec) => _fixed = spec;

    /// <inheritdoc />
    public override string Name => "mstl";

    /// <inheritdoc />
    public override int MinimumLength(IReadOnlyList<int> periods) => periods.Count == 0 ? 1 : 2 * periods.Min();

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        var dec = MstlDecomposition.Fit(y, periods);
        if (dec.Periods.Length == 0)
        {
            return new EtsModel(_fixed, false).Run(y, horizon, periods) with { Detail = "MSTL→ETS (no full season)" };
        }

        var adjusted = dec.Adjusted(y);
        var ets = new EtsModel(_fixed, false);
        var fit = ets.Select(adjusted, []);
        if (fit is null)
        {
            return new SeasonalNaiveModel().Run(y, horizon, periods) with { Detail = "MSTL→SNaive (no ETS fit)" };
        }

        var inner = EtsModel.Output(fit, horizon, null);
        int n = y.Length;
        var season = new double[horizon];
        for (int k = 0; k < dec.Periods.Length; k++)
        {
            int p = dec.Periods[k];
            for (int h = 0; h < horizon; h++)
            {
                season[h] += dec.Seasonals[k][n - p + (h % p)];
            }
        }

        var mean = new double[horizon];
        for (int h = 0; h < horizon; h++)
        {
            mean[h] = inner.Mean[h] + season[h];
        }

        double[][]? paths = null;
        if (inner.Paths is { } ps)
        {
            paths = ps.Select(path => path.Select((v, h) => v + season[h]).ToArray()).ToArray();
        }

        string detail = $"MSTL[{string.Join(',', dec.Periods)}]+{inner.Detail}";
        return new ModelOutput(detail, mean, inner.StdDev, paths, new MstlModel(fit.Spec));
    }
}
