using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Ensemble;

/// <summary>The per-series models by their short names.</summary>
public static class ModelCatalog
{
    /// <summary>Every name accepted in a model list (besides <c>auto</c> and <c>gbm</c>, the global model).</summary>
    public static IReadOnlyList<string> Names { get; } = ["naive", "snaive", "drift", "naive2", "ets", "theta", "otm", "arima", "mstl", "m4comb"];

    /// <summary>The models <c>auto</c> stands for.</summary>
    public static IReadOnlyList<string> AutoNames { get; } = ["ets", "theta", "arima", "mstl", "m4comb", "snaive", "drift"];

    /// <summary>Candidates <c>auto</c> leaves out for sub-daily series (see <see cref="AutoForecasterOptions.SubDailyExclude"/>).</summary>
    public static IReadOnlyList<string> SubDailyExcludedNames { get; } = ["m4comb"];

    /// <summary>Candidates <c>auto</c> fits on the Box-Cox scale for positive sub-daily series (see <see cref="AutoForecasterOptions.SubDailyBoxCoxModels"/>).</summary>
    public static IReadOnlyList<string> SubDailyBoxCoxNames { get; } = ["ets", "theta", "arima", "mstl", "m4comb"];

    /// <summary>Creates the model named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static ModelBase Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "naive" => new NaiveModel(),
            "snaive" => new SeasonalNaiveModel(),
            "drift" => new DriftModel(),
            "naive2" => new Naive2Model(),
            "ets" => new EtsModel(),
            "theta" => new ThetaModel(),
            "otm" => new OptimizedThetaModel(),
            "arima" => new ArimaModel(),
            "mstl" => new MstlModel(),
            "m4comb" => new M4CombModel(),
            _ => throw new ArgumentException($"Unknown model '{name}'. Valid models: auto, gbm, {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>True for models that need a seasonal period with two full cycles to differ from their fallback.</summary>
    internal static bool IsSeasonalOnly(string name) => name is "snaive" or "mstl";
}
