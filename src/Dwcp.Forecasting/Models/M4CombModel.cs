namespace Dwcp.Forecasting.Models;

/// <summary>
/// The M4 "Comb" benchmark (Makridakis et al. 2018): the equal-weight average of simple exponential smoothing,
/// Holt's linear trend and the damped trend method, each fitted by maximum likelihood (ETS(A,N,N), ETS(A,A,N),
/// ETS(A,Ad,N)) on the M4 seasonally adjusted series (the same adjustment as <see cref="ThetaModel"/>) and
/// reseasonalised. Estimation uses at most the last 600 points (as <see cref="EtsModel"/>). Intervals: the mean of
/// the three members' analytic standard deviations (an approximation that ignores the members' correlation; the
/// ensemble uses conformal intervals for it). Backtest refits use the optimiser's reduced budget (as ETS's).
/// </summary>
public sealed class M4CombModel : ModelBase
{
    private const int MaxSample = 600;
    private readonly bool _quick;

    /// <summary>Creates the model (full optimiser budget).</summary>
    public M4CombModel()
        : this(false)
    {
    }

    private M4CombModel(bool quick) => _quick = quick;

    /// <inheritdoc />
    public override string Name => "m4comb";

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        if (y.Length < 8)
        {
            return new NaiveModel().Run(y, horizon, periods) with { Detail = "Comb→Naive (fewer than 8 points)" };
        }

        var (sa, dec) = SeasonalAdjustment.Apply(y, periods);
        var inner = Forecast(sa.Length > MaxSample ? sa[^MaxSample..] : sa, horizon, _quick);
        var r = SeasonalAdjustment.Restore(inner, dec, y.Length, dec is null ? "Comb(SES,Holt,Damped)" : $"Comb(SES,Holt,Damped)[{dec.Period}]");
        return _quick ? r : r with { Fixed = new M4CombModel(true) };
    }

    /// <summary>Equal-weight mean of the three non-seasonal forms; members that fail to fit are left out.</summary>
    internal static ModelOutput Forecast(double[] y, int horizon, bool quick = false)
    {
        var mean = new double[horizon];
        var sd = new double[horizon];
        int members = 0;
        foreach (var trend in new[] { EtsTrend.None, EtsTrend.Additive, EtsTrend.Damped })
        {
            var fit = EtsCore.Fit(y, new EtsSpec(false, trend, EtsSeason.None), 0, quick);
            if (fit is null)
            {
                continue;
            }

            var p = EtsForecast.PointForecast(fit, horizon);
            var s = EtsForecast.AnalyticSd(fit, horizon)!;
            for (int i = 0; i < horizon; i++)
            {
                mean[i] += p[i];
                sd[i] += s[i];
            }

            members++;
        }

        if (members == 0)
        {
            return new NaiveModel().Run(y, horizon, []);
        }

        for (int i = 0; i < horizon; i++)
        {
            mean[i] /= members;
            sd[i] /= members;
        }

        return new ModelOutput("Comb", mean, sd);
    }
}
