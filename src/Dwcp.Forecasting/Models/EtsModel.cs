using Dwcp.Forecasting.Analysis;

namespace Dwcp.Forecasting.Models;

/// <summary>
/// Exponential smoothing state-space models (ETS). With no fixed form, fits every admissible
/// (error ∈ {A,M}) × (trend ∈ {N,A,Ad}) × (season ∈ {N,A,M}) combination and keeps the lowest AICc.
/// Multiplicative forms are skipped when any value ≤ 0; (A,·,M) forms are skipped as numerically unstable (as in R's
/// <c>forecast::ets</c>). Season uses the smallest period ≤ 24 with two full cycles (longer periods, as in R, are left to MSTL, ARIMA and seasonal naive, because the m seed states are not estimated). Estimation uses at most the last 600 observations.
/// </summary>
public sealed class EtsModel : ModelBase
{
    private const int MaxSample = 600;
    private const int MaxSeasonalPeriod = 24;
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

            var fit = EtsCore.Fit(y, sp, m, quick: _fixed is null);
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

        var sample = y.Length > MaxSample ? y[^MaxSample..] : y;
        var fit = Select(sample, periods);
        if (fit is null)
        {
            return new NaiveModel().Run(y, horizon, periods) with { Detail = "ETS→Naive (no admissible fit)" };
        }

        return Output(fit, horizon, new EtsModel(fit.Spec, _allowSeason));
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
