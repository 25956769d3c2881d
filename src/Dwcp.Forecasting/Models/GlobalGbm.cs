using Dwcp.Forecasting.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Dwcp.Forecasting.Models;

/// <summary>
/// A global gradient-boosted regression (ML.NET LightGBM) trained across many series, applied directly (one model
/// for every step, the step a feature; the default) or recursively (described below).
/// Each sample at time t is normalised by the mean absolute value of the preceding window (the largest period, or 24):
/// features are lags 1…L (L = smallest period capped at 48, else 12), lags of every period and its double, rolling mean and
/// standard deviation of the last L and of the window, and the position within each seasonal cycle; target y_t / scale.
/// The last <c>holdOut</c> points of every series are left out of training so the rolling-origin backtest stays honest.
/// </summary>
public sealed class GlobalGbm : IDisposable
{
    private readonly ITransformer _model;
    private readonly MLContext _ml;
    private readonly ThreadLocal<PredictionEngine<GbmRow, GbmScore>> _engines;
    private readonly int _scaleWindow;

    private GlobalGbm(MLContext ml, ITransformer model, int[] periods, GbmStrategy strategy, GbmTarget target, bool logScale, int scaleWindow)
    {
        _scaleWindow = scaleWindow;
        _ml = ml;
        _model = model;
        Periods = periods;
        Strategy = strategy;
        Target = target;
        LogScale = logScale;
        int count = strategy == GbmStrategy.Direct ? GbmDirectFeatures.Count(periods) : Layout(periods).Count;
        _engines = new ThreadLocal<PredictionEngine<GbmRow, GbmScore>>(() => _ml.Model.CreatePredictionEngine<GbmRow, GbmScore>(_model, inputSchemaDefinition: SchemaFor(count)));
    }

    /// <summary>How multi-step forecasts are made.</summary>
    public GbmStrategy Strategy { get; }

    /// <summary>What the direct model learns (always <see cref="GbmTarget.Level"/> for the recursive one); never <see cref="GbmTarget.Auto"/>.</summary>
    public GbmTarget Target { get; }

    /// <summary>True when the direct model learns on the log scale (asked for, and every training value &gt; 0).</summary>
    public bool LogScale { get; }

    /// <summary>
    /// The same model retrained on every point (no hold-out) for the final forecasts, when
    /// <c>refitFull</c> was asked for; the held-out model still produces the backtest forecasts that weigh it.
    /// </summary>
    private GlobalGbm? _final;

    /// <inheritdoc />
    public void Dispose()
    {
        _engines.Dispose();
        _final?.Dispose();
    }

    /// <summary>Periods the features were built for.</summary>
    public IReadOnlyList<int> Periods { get; }

    /// <summary>Number of features per sample.</summary>
    internal int FeatureCount => Strategy == GbmStrategy.Direct ? GbmDirectFeatures.Count([.. Periods]) : Layout([.. Periods]).Count;

    /// <summary>
    /// Trains on every series (all on the same frequency), skipping the last <paramref name="holdOut"/> points of each.
    /// Periods that fewer than half of the series can support (2 cycles + 20 points) are dropped.
    /// <paramref name="strategy"/>: <see cref="GbmStrategy.Direct"/> (default; see <see cref="GbmDirectFeatures"/>) or
    /// <see cref="GbmStrategy.Recursive"/> (the one-step model fed its own forecasts).
    /// </summary>
    /// <param name="series">Training series.</param>
    /// <param name="horizon">Forecast horizon (the direct model's steps).</param>
    /// <param name="periods">Seasonal periods of the features.</param>
    /// <param name="holdOut">Points left out at the end of every series (the backtest windows).</param>
    /// <param name="seed">Sampling and LightGBM seed.</param>
    /// <param name="strategy">Multi-step strategy.</param>
    /// <param name="refitFull">When true and <paramref name="holdOut"/> &gt; 0, a second model is trained on every point and
    /// makes the final forecasts, while the held-out one makes the backtest forecasts (twice the training time).</param>
    /// <param name="options">Target, training size and LightGBM settings (default <see cref="GbmOptions"/>).</param>
    /// <exception cref="ArgumentException">Fewer than 20 training samples.</exception>
    public static GlobalGbm Train(IReadOnlyList<double[]> series, int horizon, int[] periods, int holdOut = 0, int seed = 1, GbmStrategy strategy = GbmStrategy.Direct, bool refitFull = false, GbmOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= new GbmOptions();
        var target = options.Target;
        // Keep the periods that at least half of the series can support (two cycles plus room for samples).
        periods = [.. periods.Where(p => p >= 2 && series.Count(s => s.Length - holdOut >= 2 * p + 20) * 2 >= series.Count).Distinct().Order()];
        if (strategy == GbmStrategy.Recursive)
        {
            target = GbmTarget.Level;
        }
        else if (target == GbmTarget.Auto)
        {
            target = GbmDirectFeatures.ChooseBase(series, Math.Max(1, horizon), periods, holdOut);
        }

        bool log = options.LogScale && strategy == GbmStrategy.Direct && series.All(s => s.All(v => v > 0));
        options = options with { Target = target, LogScale = log };
        var model = Fit(series, horizon, periods, holdOut, seed, strategy, options);
        if (refitFull && holdOut > 0)
        {
            model._final = Fit(series, horizon, periods, 0, seed, strategy, options);
        }

        return model;
    }

    private static GlobalGbm Fit(IReadOnlyList<double[]> series, int horizon, int[] periods, int holdOut, int seed, GbmStrategy strategy, GbmOptions options) =>
        strategy == GbmStrategy.Direct
            ? Fit(DirectRows(series, horizon, periods, holdOut, seed, options), GbmDirectFeatures.Count(periods), periods, seed, strategy, options)
            : Fit(RecursiveRows(series, periods, holdOut, options.MaxRows), Layout(periods).Count, periods, seed, strategy, options);

    private static List<GbmRow> DirectRows(IReadOnlyList<double[]> series, int horizon, int[] periods, int holdOut, int seed, GbmOptions options)
    {
        var rng = new Random(seed);
        var target = options.Target;
        int perSeries = Math.Max(50, options.MaxRows / Math.Max(1, series.Count));
        var rows = new List<GbmRow>();
        foreach (var s in series)
        {
            foreach (var (f, label) in GbmDirectFeatures.Rows(s, s.Length - Math.Max(0, holdOut), Math.Max(1, horizon), periods, perSeries, rng, target, options.LogScale, options.ScaleWindow))
            {
                rows.Add(new GbmRow { Features = f, Label = label });
            }
        }

        return rows;
    }

    private static List<GbmRow> RecursiveRows(IReadOnlyList<double[]> series, int[] periods, int holdOut, int maxRows)
    {
        var layout = Layout(periods);
        int window = Window(periods);
        int need = layout.MaxLag + 1;
        int perSeries = Math.Max(50, maxRows / Math.Max(1, series.Count));
        var rows = new List<GbmRow>();
        foreach (var s in series)
        {
            int end = s.Length - Math.Max(0, holdOut);
            int first = Math.Max(need, window);
            int available = end - first;
            if (available <= 0)
            {
                continue;
            }

            int stride = Math.Max(1, available / perSeries);
            for (int t = end - 1; t >= first; t -= stride)
            {
                var f = Features(s, t, periods, layout, window, out double scale);
                rows.Add(new GbmRow { Features = f, Label = (float)(s[t] / scale) });
            }
        }

        return rows;
    }

    private static GlobalGbm Fit(List<GbmRow> rows, int featureCount, int[] periods, int seed, GbmStrategy strategy, GbmOptions options)
    {
        var ml = new MLContext(seed);
        if (rows.Count < 20)
        {
            throw new ArgumentException($"Too little history to train the global model: {rows.Count} samples (need ≥ 20); use longer series or other models.");
        }

        var data = ml.Data.LoadFromEnumerable(rows, SchemaFor(featureCount));
        var trainer = ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
        {
            NumberOfLeaves = options.Leaves,
            NumberOfIterations = options.Iterations,
            LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = 20,
            Seed = seed,
            NumberOfThreads = 1,
            Verbose = false,
            Silent = true,
        });
        var model = trainer.Fit(data);
        return new GlobalGbm(ml, model, periods, strategy, options.Target, options.LogScale, options.ScaleWindow);
    }

    /// <summary>A per-series model that applies this global model recursively.</summary>
    internal ModelBase ModelFor(IReadOnlyList<int> periods) => new GbmSeriesModel(this, _final ?? this);

    /// <summary>Recursive multi-step forecast of one series.</summary>
    internal double[] Predict(double[] y, int horizon)
    {
        var periods = Periods.ToArray();
        if (Strategy == GbmStrategy.Direct)
        {
            var direct = new double[horizon];
            var engine1 = _engines.Value!;
            var row1 = new GbmRow();
            for (int k = 1; k <= horizon; k++)
            {
                row1.Features = GbmDirectFeatures.Build(y, y.Length, k, periods, out double scale, LogScale, _scaleWindow);
                direct[k - 1] = GbmDirectFeatures.Inverse(engine1.Predict(row1).Score, y, y.Length, k, periods, Target, scale, LogScale);
            }

            return direct;
        }

        var layout = Layout(periods);
        int window = Window(periods);
        var ext = new double[y.Length + horizon];
        Array.Copy(y, ext, y.Length);
        var engine = _engines.Value!;
        var row = new GbmRow();
        for (int h = 0; h < horizon; h++)
        {
            int t = y.Length + h;
            row.Features = Features(ext, t, periods, layout, window, out double scale);
            ext[t] = engine.Predict(row).Score * scale;
        }

        return ext[y.Length..];
    }

    private sealed record FeatureLayout(int[] Lags, int ShortWindow, int Count, int MaxLag);

    private static int Window(int[] periods) => periods.Length > 0 ? periods[^1] : 24;

    private static FeatureLayout Layout(int[] periods)
    {
        int l = periods.Length > 0 ? Math.Min(periods[0], 48) : 12;
        var lags = Enumerable.Range(1, l).Concat(periods).Concat(periods.Select(p => 2 * p)).Distinct().Order().ToArray();
        return new FeatureLayout(lags, l, lags.Length + 4 + periods.Length, lags.Max());
    }

    private static float[] Features(double[] s, int t, int[] periods, FeatureLayout layout, int window, out double scale)
    {
        double sum = 0;
        int w = Math.Min(window, t);
        for (int k = 1; k <= w; k++)
        {
            sum += Math.Abs(s[t - k]);
        }

        scale = w > 0 && sum > 0 ? sum / w : 1;
        var f = new float[layout.Count];
        int i = 0;
        foreach (var lag in layout.Lags)
        {
            f[i++] = t - lag >= 0 ? (float)(s[t - lag] / scale) : float.NaN;
        }

        AppendWindowFeatures(f, i, s, t, layout.ShortWindow, window, scale, t, periods);
        return f;
    }

    /// <summary>
    /// Writes, from <paramref name="i"/> on, the features both strategies share: mean and standard deviation of the
    /// <paramref name="shortWindow"/> and <paramref name="window"/> values before <paramref name="end"/> (scaled), then
    /// the seasonal phase of <paramref name="t"/> for each period.
    /// </summary>
    internal static void AppendWindowFeatures(float[] f, int i, double[] y, int end, int shortWindow, int window, double scale, int t, int[] periods)
    {
        var shortSpan = y.AsSpan(Math.Max(0, end - shortWindow), Math.Min(shortWindow, end));
        var longSpan = y.AsSpan(Math.Max(0, end - window), Math.Min(window, end));
        f[i++] = (float)(Stats.Mean(shortSpan) / scale);
        f[i++] = (float)(Math.Sqrt(Stats.Variance(shortSpan)) / scale);
        f[i++] = (float)(Stats.Mean(longSpan) / scale);
        f[i++] = (float)(Math.Sqrt(Stats.Variance(longSpan)) / scale);
        foreach (var p in periods)
        {
            f[i++] = t % p;
        }
    }

    private static SchemaDefinition SchemaFor(int count)
    {
        var schema = SchemaDefinition.Create(typeof(GbmRow));
        schema[nameof(GbmRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, count);
        return schema;
    }

    internal sealed class GbmRow
    {
        [VectorType]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    internal sealed class GbmScore
    {
        public float Score { get; set; }
    }

    /// <summary>Final forecasts from <paramref name="final"/>, backtest refits (the <c>Fixed</c> model) from <paramref name="owner"/>.</summary>
    private sealed class GbmSeriesModel(GlobalGbm owner, GlobalGbm final) : ModelBase
    {
        public override string Name => "gbm";

        internal override ModelOutput Run(double[] y, int horizon, int[] periods)
        {
            if (y.Length <= owner.Periods.DefaultIfEmpty(12).Max())
            {
                return new SeasonalNaiveModel().Run(y, horizon, periods) with { Detail = "GBM→SNaive (series shorter than the largest lag)" };
            }

            var backtest = ReferenceEquals(final, owner) ? null : new GbmSeriesModel(owner, owner);
            return new ModelOutput(backtest is null ? "GBM(LightGBM, global)" : "GBM(LightGBM, global, refit on all points)", final.Predict(y, horizon), null, Fixed: backtest);
        }
    }
}
