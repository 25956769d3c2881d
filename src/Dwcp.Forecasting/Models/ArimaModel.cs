using Dwcp.Forecasting.Analysis;

namespace Dwcp.Forecasting.Models;

/// <summary>
/// Automatic (seasonal) ARIMA after Hyndman &amp; Khandakar (2008): d by repeated KPSS tests at 5% (statistic &gt; 0.463,
/// d ≤ 2); D = 1 when the seasonal strength of the first period is ≥ 0.64 (the rule of R's <c>nsdiffs</c> "seas" test);
/// stepwise search over p, q ≤ 5, P, Q ≤ 2, p+q+P+Q ≤ 5, constant on/off (only when d + D ≤ 1) by AICc; parameters by
/// conditional sum of squares (Nelder–Mead) with stationarity/invertibility enforced. Estimation uses at most the last
/// 700 observations. Intervals from ψ-weights of the integrated model.
/// </summary>
public sealed class ArimaModel : ModelBase
{
    private const int MaxSample = 700;
    private readonly ArimaOrder? _fixed;

    /// <summary>Automatic ARIMA.</summary>
    public ArimaModel()
    {
    }

    internal ArimaModel(ArimaOrder order) => _fixed = order;

    /// <inheritdoc />
    public override string Name => "arima";

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        if (y.Length < 8)
        {
            return new DriftModel().Run(y, horizon, periods) with { Detail = "ARIMA→Drift (fewer than 8 points)" };
        }

        var sample = y.Length > MaxSample ? y[^MaxSample..] : y;
        var fit = _fixed is { } o ? ArimaCore.Fit(sample, o, quick: true) : Search(sample, periods);
        if (fit is null)
        {
            return new NaiveModel().Run(y, horizon, periods) with { Detail = "ARIMA→Naive (no admissible fit)" };
        }

        var (mean, sd) = ArimaCore.Forecast(sample, fit, horizon);
        return new ModelOutput(fit.Order.ToString(), mean, sd, null, new ArimaModel(fit.Order));
    }

    internal static ArimaFit? Search(double[] y, int[] periods)
    {
        int m = UsablePeriod(periods, y.Length, 3);
        if (m > 52)
        {
            m = 0;
        }

        int sd = 0;
        if (m > 1 && SeriesAnalysis.SeasonalStrength(y, m) >= 0.64)
        {
            sd = 1;
        }

        var x = sd == 1 ? ArimaCore.Difference(y, 0, 1, m) : y;
        int d = 0;
        while (d < 2 && x.Length > 10 && ArimaCore.Kpss(x) > 0.463)
        {
            x = ArimaCore.Difference(x, 1, 0, m);
            d++;
        }

        bool seasonal = m > 1;
        bool allowConst = d + sd <= 1;
        var tried = new Dictionary<ArimaOrder, ArimaFit?>();
        ArimaFit? best = null;
        void Try(ArimaOrder o)
        {
            if (o.P < 0 || o.Q < 0 || o.SP < 0 || o.SQ < 0 || o.P > 5 || o.Q > 5 || o.SP > 2 || o.SQ > 2 || o.P + o.Q + o.SP + o.SQ > 5 || tried.ContainsKey(o) || tried.Count >= 60)
            {
                return;
            }

            if (o.Constant && !allowConst)
            {
                return;
            }

            var f = ArimaCore.Fit(y, o, quick: true);
            tried[o] = f;
            if (f is not null && (best is null || f.Aicc < best.Aicc))
            {
                best = f;
            }
        }

        int sp1 = seasonal ? 1 : 0;
        Try(new ArimaOrder(2, d, 2, sp1, sd, sp1, seasonal ? m : 1, allowConst));
        Try(new ArimaOrder(0, d, 0, 0, sd, 0, seasonal ? m : 1, allowConst));
        Try(new ArimaOrder(1, d, 0, sp1, sd, 0, seasonal ? m : 1, allowConst));
        Try(new ArimaOrder(0, d, 1, 0, sd, sp1, seasonal ? m : 1, allowConst));
        if (allowConst)
        {
            Try(new ArimaOrder(0, d, 0, 0, sd, 0, seasonal ? m : 1, false));
        }

        bool improved = best is not null;
        while (improved)
        {
            improved = false;
            var cur = best!.Order;
            var before = best;
            foreach (var n in Neighbours(cur, seasonal))
            {
                Try(n);
            }

            improved = !ReferenceEquals(before, best);
        }

        // The search used a reduced optimiser budget; refit the chosen order in full.
        if (best is not null && ArimaCore.Fit(y, best.Order) is { } full && full.Aicc <= best.Aicc)
        {
            best = full;
        }

        return best;
    }

    private static IEnumerable<ArimaOrder> Neighbours(ArimaOrder c, bool seasonal)
    {
        foreach (var dp in new[] { -1, 1 })
        {
            yield return c with { P = c.P + dp };
            yield return c with { Q = c.Q + dp };
            yield return c with { P = c.P + dp, Q = c.Q + dp };
            if (seasonal)
            {
                yield return c with { SP = c.SP + dp };
                yield return c with { SQ = c.SQ + dp };
                yield return c with { SP = c.SP + dp, SQ = c.SQ + dp };
            }
        }

        yield return c with { P = c.P + 1, Q = c.Q - 1 };
        yield return c with { P = c.P - 1, Q = c.Q + 1 };
        yield return c with { Constant = !c.Constant };
    }
}
