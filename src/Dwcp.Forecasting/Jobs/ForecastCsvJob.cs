using System.Globalization;
using System.Text;
using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Jobs;

/// <summary>Options of <see cref="ForecastCsvJob"/>, one per command-line option of <c>dwcp forecast</c>.</summary>
public sealed record ForecastJobOptions
{
    /// <summary>Input CSV with header <c>series_id,timestamp,value</c>.</summary>
    public required string InputPath { get; init; }

    /// <summary>Output CSV path (overwritten).</summary>
    public required string OutputPath { get; init; }

    /// <summary>Steps to forecast per series (≥ 1).</summary>
    public required int Horizon { get; init; }

    /// <summary>Seasonal periods that override detection (e.g. [24, 168]); null to detect from the frequency.</summary>
    public IReadOnlyList<int>? SeasonalPeriods { get; init; }

    /// <summary>Interval levels in percent, in output column order.</summary>
    public IReadOnlyList<double> Levels { get; init; } = [80, 95];

    /// <summary><c>auto</c> or model names (naive, snaive, drift, naive2, ets, theta, otm, arima, mstl, gbm).</summary>
    public IReadOnlyList<string> Models { get; init; } = ["auto"];

    /// <summary>What to do with duplicate timestamps.</summary>
    public AggregateMode Aggregate { get; init; } = AggregateMode.None;

    /// <summary>Series forecast at once; default all cores.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>Progress of a job: series finished so far.</summary>
public sealed record ForecastJobProgress(int Completed, int Total, string SeriesId);

/// <summary>What the job did for one series.</summary>
public sealed record SeriesForecastSummary(
    string SeriesId, int Points, string Frequency, IReadOnlyList<int> SeasonalPeriods, ForecastResult Forecast);

/// <summary>Outcome of a job: counts, warnings to show the user, and per-series details.</summary>
public sealed record ForecastJobResult(int RowsWritten, IReadOnlyList<string> Warnings, IReadOnlyList<SeriesForecastSummary> Series);

/// <summary>
/// The <c>dwcp forecast</c> command as a library call: reads a long-format CSV, forecasts every series in parallel and
/// writes <c>series_id,timestamp,mean,lo_L,hi_L…,model</c> with exactly H rows per series, series in order of first
/// appearance. With <c>auto</c> and at least <see cref="AutoGlobalMinSeries"/> series of one frequency, the global
/// LightGBM model is trained on all series and joins every series' candidates. Options errors throw <see cref="ForecastUsageException"/>; data errors <see cref="ForecastInputException"/>.
/// </summary>
public static class ForecastCsvJob
{
    /// <summary>With <c>auto</c>, the global gbm model joins the candidates when at least this many series share one frequency.</summary>
    public const int AutoGlobalMinSeries = 20;

    /// <summary>Runs the job on files.</summary>
    public static async Task<ForecastJobResult> RunAsync(ForecastJobOptions options, IProgress<ForecastJobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptions(options);
        if (!File.Exists(options.InputPath))
        {
            throw new ForecastUsageException("--input", $"file '{options.InputPath}' does not exist.");
        }

        using var reader = new StreamReader(options.InputPath, Encoding.UTF8);
        var sb = new StringBuilder();
        ForecastJobResult result;
        using (var writer = new StringWriter(sb, CultureInfo.InvariantCulture))
        {
            result = await RunAsync(reader, writer, options.InputPath, options, progress, cancellationToken);
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(options.OutputPath));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        await File.WriteAllTextAsync(options.OutputPath, sb.ToString(), new UTF8Encoding(false), cancellationToken);
        return result;
    }

    /// <summary>Runs the job on readers and writers (<paramref name="sourceName"/> names the input in messages).</summary>
    public static async Task<ForecastJobResult> RunAsync(
        TextReader input, TextWriter output, string sourceName, ForecastJobOptions options, IProgress<ForecastJobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptions(options);
        var raw = await CsvSeries.ReadAsync(input, sourceName, cancellationToken);
        var warnings = new List<string>();
        var prepared = raw.Select(r => CsvSeries.Prepare(sourceName, r.Id, r.Item2, options.Aggregate, warnings)).ToArray();
        var names = ModelNames(options.Models);
        bool named = !options.Models.Any(m => m.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase));
        var auto = new AutoForecaster(new AutoForecasterOptions
        {
            Models = [.. names.Where(n => n != "gbm")],
            DetectSeasonality = options.SeasonalPeriods is null,
            SubDailyExclude = named ? [] : ModelCatalog.SubDailyExcludedNames, // models named by the caller all run
        });
        bool autoGlobal = !named
            && prepared.Length >= AutoGlobalMinSeries
            && prepared.All(p => p.Frequency.Name == prepared[0].Frequency.Name);
        GlobalGbm? trained = null;
        if (names.Contains("gbm"))
        {
            trained = TrainGlobal(prepared, options, sourceName);
        }
        else if (autoGlobal)
        {
            try
            {
                trained = TrainGlobal(prepared, options, sourceName);
                names.Add("gbm");
            }
            catch (ForecastInputException ex)
            {
                warnings.Add($"{sourceName}: the global gbm model was skipped: {ex.Message}");
            }
        }

        using var gbm = trained;

        var results = new SeriesForecastSummary[prepared.Length];
        int done = 0;
        var po = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism), CancellationToken = cancellationToken };
        await Parallel.ForAsync(0, prepared.Length, po, (i, ct) =>
        {
            var s = prepared[i];
            var periods = options.SeasonalPeriods ?? s.Frequency.CandidatePeriods;
            var request = new ForecastRequest { Values = s.Values, Horizon = options.Horizon, SeasonalPeriods = periods, Levels = options.Levels };
            IReadOnlyList<ModelBase> extra = gbm is null ? [] : [gbm.ModelFor(periods)];
            var fc = names.Count == 1 && names[0] == "gbm" && gbm is not null
                ? new AutoForecaster(new AutoForecasterOptions { Models = [], DetectSeasonality = options.SeasonalPeriods is null }).Forecast(request, extra)
                : auto.Forecast(request, extra);
            results[i] = new SeriesForecastSummary(s.Id, s.Values.Length, s.Frequency.Name, periods, fc);
            int c = Interlocked.Increment(ref done);
            progress?.Report(new ForecastJobProgress(c, prepared.Length, s.Id));
            return ValueTask.CompletedTask;
        });

        int rows = await WriteAsync(output, prepared, results, options);
        return new ForecastJobResult(rows, warnings, results);
    }

    /// <summary>Trains the global model on all series (periods of the first series or the override).</summary>
    private static GlobalGbm TrainGlobal(PreparedSeries[] prepared, ForecastJobOptions options, string sourceName)
    {
        var periods = options.SeasonalPeriods ?? prepared[0].Frequency.CandidatePeriods;
        try
        {
            return GlobalGbm.Train([.. prepared.Select(p => p.Values)], options.Horizon, [.. periods], holdOut: options.Horizon * new AutoForecasterOptions().BacktestOrigins, refitFull: true);
        }
        catch (ArgumentException ex)
        {
            throw new ForecastInputException(sourceName, null, null, null, ex.Message);
        }
    }

    private static async Task<int> WriteAsync(TextWriter w, PreparedSeries[] prepared, SeriesForecastSummary[] results, ForecastJobOptions options)
    {
        var ci = CultureInfo.InvariantCulture;
        var header = new StringBuilder("series_id,timestamp,mean");
        foreach (var l in options.Levels)
        {
            header.Append(ci, $",lo_{l.ToString(ci)},hi_{l.ToString(ci)}");
        }

        header.Append(",model");
        await w.WriteLineAsync(header.ToString());
        int rows = 0;
        for (int i = 0; i < prepared.Length; i++)
        {
            var s = prepared[i];
            var fc = results[i].Forecast;
            var anchor = s.Times[0];
            long n = s.Values.Length;
            for (int h = 0; h < options.Horizon; h++)
            {
                var t = s.Frequency.AdvanceAt(anchor, n + h, s.Times[^1].Offset);
                var line = new StringBuilder();
                line.Append(CsvSeries.Quote(s.Id)).Append(',').Append(s.Format.Format(t)).Append(',').Append(Num(fc.Mean[h]));
                foreach (var iv in fc.Intervals)
                {
                    line.Append(',').Append(Num(iv.Lower[h])).Append(',').Append(Num(iv.Upper[h]));
                }

                line.Append(',').Append(CsvSeries.Quote(fc.Model));
                await w.WriteLineAsync(line.ToString());
                rows++;
            }
        }

        return rows;
    }

    /// <summary>At most 6 decimals, never exponent notation, no negative zero.</summary>
    private static string Num(double v)
    {
        double r = Math.Round(v, 6);
        return (r == 0 ? 0.0 : r).ToString("0.######", CultureInfo.InvariantCulture);
    }

    private static void ValidateOptions(ForecastJobOptions o)
    {
        if (o.Horizon <= 0)
        {
            throw new ForecastUsageException("--horizon", $"{o.Horizon} is not a positive number of steps.");
        }

        if (o.Levels.Count == 0 || o.Levels.Any(l => !(l > 0 && l < 100)) || o.Levels.Distinct().Count() != o.Levels.Count)
        {
            throw new ForecastUsageException("--levels", $"'{string.Join(",", o.Levels)}' must be distinct percentages strictly between 0 and 100, e.g. 80,95.");
        }

        if (o.SeasonalPeriods is { } sp && sp.Any(p => p < 2))
        {
            throw new ForecastUsageException("--season", $"'{string.Join(",", sp)}' must list periods of at least 2 steps, e.g. 24,168.");
        }

        if (o.MaxParallelism < 1)
        {
            throw new ForecastUsageException("--max-parallelism", $"{o.MaxParallelism} must be at least 1.");
        }

        _ = ModelNames(o.Models);
    }

    private static List<string> ModelNames(IReadOnlyList<string> models)
    {
        var names = new List<string>();
        foreach (var raw in models)
        {
            var n = raw.Trim().ToLowerInvariant();
            if (n == "auto")
            {
                names.AddRange(ModelCatalog.AutoNames);
            }
            else if (n == "gbm" || ModelCatalog.Names.Contains(n))
            {
                names.Add(n);
            }
            else
            {
                throw new ForecastUsageException("--models", $"unknown model '{raw}'. Use auto or a list of: {string.Join(", ", ModelCatalog.Names)}, gbm.");
            }
        }

        if (names.Count == 0)
        {
            throw new ForecastUsageException("--models", "the list is empty; use auto or name at least one model.");
        }

        return [.. names.Distinct()];
    }
}
