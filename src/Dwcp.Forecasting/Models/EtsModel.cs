using Dwcp.Forecasting.Analysis;

namespace Dwcp.Forecasting.Models;

/// <summary>
/// Exponential smoothing state-space models (ETS). With no fixed form, fits every admissible
/// (error ∈ {A,M}) × (trend ∈ {N,A,Ad}) × (season ∈ {N,A,M}) combination and keeps the lowest AICc.
/// Multiplicative forms are skipped when any value ≤ 0; (A,·,M) forms are skipped as numerically unstable (as in R's
/// <c>forecast::ets</c>). State-space seasonality uses the smallest period ≤ 24 with two full cycles; longer periods (e.g. 168) are removed by the MSTL-style decomposition first and added back as their last cycle (see <see cref="RunLongSeason"/>). Estimation uses at most the last 600 observations.
/// </summary>
public sealed class EtsModel : ModelBase
{
    private const int MaxSample = 600;
    private const int MaxSeasonalPeriod = 24;

    /// <summary>Seasonal strength a period &gt; 24 needs before it is removed and added back (weaker ones only add noise).</summary>
    private const double LongSeasonStrength = 0.7;
    private readonly EtsSpec? _fixed;
    private readonly bool _allowSeason;

    /// <summary>Automatic ETS (selection by AICc).</summary>
    public EtsModel()
        : this(null, true)
    {
    }

    internal EtsModel(EtsSpec? fixedSpec, bool allowSeason)
    {
        _fixed = fixedSpec;
        _allowSeason = allowSeason;
    }

    /// <inheritdoc />
    public override string Name => "ets";

    internal static IEnumerable<EtsSpec> Candidates(double[] y, int m)
    {
        bool positive = ClassicalDecomposition.AllPositive(y);
        foreach (var err in new[] { false, true })
        {
            foreach (var trend in new[] { EtsTrend.None, EtsTrend.Additive, EtsTrend.Damped })
            {
                foreach (var season in new[] { EtsSeason.None, EtsSeason.Additive, EtsSeason.Multiplicative })
                {
                    if (season != EtsSeason.None && m == 0)
                    {
                        continue;
                    }

                    if ((err || season == EtsSeason.Multiplicative) && !positive)
                    {
                        continue;
                    }

                    if (!err && season == EtsSeason.Multiplicative)
                    {
                        continue;
                    }

                    if (trend != EtsTrend.None && y.Length < 8)
                    {
                        continue;
                    }

                    yield return new EtsSpec(err, trend, season);
                }
            }
        }
    }

    internal EtsFit? Select(double[] y, int[] periods)
    {
        int m = _allowSeason ? UsablePeriod([.. periods.Where(p => p <= MaxSeasonalPeriod)], y.Length, 2) : 0;
        EtsFit? best = null;
        var specs = _fixed is { } f ? [f] : Candidates(y, m);
        foreach (var spec in specs)
        {
            var sp = spec;
            if (sp.Season != EtsSeason.None && m == 0)
            {
                sp = sp with { Season = EtsSeason.None };
            }

            if ((sp.MultiplicativeError || sp.Season == EtsSeason.Multiplicative) && !ClassicalDecomposition.AllPositive(y))
            {
                sp = new EtsSpec(false, sp.Trend, sp.Season == EtsSeason.Multiplicative ? EtsSeason.Additive : sp.Season);
            }

            // Fixed forms (backtest refits) use the reduced budget too: measured 2026-11-28, same backtest ranking, less time.
            var fit = EtsCore.Fit(y, sp, m, quick: true);
            if (fit is not null && (best is null || fit.Aicc < best.Aicc || (_fixed is not null && !double.IsFinite(best.Aicc))))
            {
                best = fit;
            }
        }

        if (_fixed is null && best is not null)
        {
            // The search used a reduced optimiser budget; refit the chosen form in full.
            var full = EtsCore.Fit(y, best.Spec, best.Period);
            if (full is not null && full.Aicc <= best.Aicc)
            {
                best = full;
            }
        }

        return best;
    }

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        if (y.Length < 3)
        {
            return new NaiveModel().Run(y, horizon, periods) with { Detail = "ETS→Naive (fewer than 3 points)" };
        }

        var longPeriods = _allowSeason ? periods.Where(p => p > MaxSeasonalPeriod && y.Length >= 2 * p).Distinct().Order().ToArray() : [];
        if (longPeriods.Length > 0)
        {
            return RunLongSeason(y, horizon, periods, longPeriods);
        }

        var sample = y.Length > MaxSample ? y[^MaxSample..] : y;
        var fit = Select(sample, periods);
        if (fit is null)
        {
            return new NaiveModel().Run(y, horizon, periods) with { Detail = "ETS→Naive (no admissible fit)" };
        }

        return Output(fit, horizon, new EtsModel(fit.Spec, _allowSeason));
    }

    /// <summary>
    /// Seasonal periods longer than 24 (e.g. 168 for hourly data with a weekly cycle): the MSTL-style decomposition
    /// over every period with two cycles gives the long seasonal components; those with strength ≥ 0.5 are removed, ETS (with its own
    /// season for a period ≤ 24) is fitted to the rest, and each long component's last cycle is added back to the
    /// forecast and to the intervals (as R's <c>stlf</c>, the seasonal forecast is taken as known).
    /// </summary>
    private ModelOutput RunLongSeason(double[] y, int horizon, int[] periods, int[] longPeriods)
    {
        int n = y.Length;
        var dec = MstlDecomposition.Fit(y, periods.Where(p => n >= 2 * p));
        var adjusted = (double[])y.Clone();
        var season = new double[horizon];
        var used = new List<int>();
        for (int k = 0; k < dec.Periods.Length; k++)
        {
            int p = dec.Periods[k];
            if (!longPeriods.Contains(p) || dec.SeasonalStrength(p) < LongSeasonStrength)
            {
                continue;
            }

            used.Add(p);

            var sk = dec.Seasonals[k];
            for (int t = 0; t < n; t++)
            {
                adjusted[t] -= sk[t];
            }

            for (int h = 0; h < horizon; h++)
            {
                season[h] += sk[n - p + (h % p)];
            }
        }

        var shortPeriods = periods.Where(p => p <= MaxSeasonalPeriod).ToArray();
        var sample = adjusted.Length > MaxSample ? adjusted[^MaxSample..] : adjusted;
        var fit = Select(sample, shortPeriods);
        if (fit is null)
        {
            return new SeasonalNaiveModel().Run(y, horizon, periods) with { Detail = "ETS→SNaive (no admissible fit on the adjusted series)" };
        }

        var inner = Output(fit, horizon, null);
        var mean = new double[horizon];
        for (int h = 0; h < horizon; h++)
        {
            mean[h] = inner.Mean[h] + season[h];
        }

        var paths = inner.Paths?.Select(path => path.Select((v, h) => v + season[h]).ToArray()).ToArray();
        string detail = used.Count > 0 ? $"{inner.Detail}+S[{string.Join(',', used)}]" : inner.Detail;
        return new ModelOutput(detail, mean, inner.StdDev, paths, new EtsModel(fit.Spec, _allowSeason));
    }

    internal static ModelOutput Output(EtsFit fit, int horizon, ModelBase? fixedModel)
    {
        var mean = EtsForecast.PointForecast(fit, horizon);
        var sd = EtsForecast.AnalyticSd(fit, horizon);
        string detail = fit.Spec + (fit.Period > 0 ? $"[{fit.Period}]" : "");
        if (sd is not null)
        {
            return new ModelOutput(detail, mean, sd, null, fixedModel);
        }

        var paths = EtsForecast.Simulate(fit, horizon, 500, 7919 + fit.N);
        return new ModelOutput(detail, mean, null, paths, fixedModel);
    }
}
