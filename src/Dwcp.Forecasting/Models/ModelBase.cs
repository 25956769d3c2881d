using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Models;

/// <summary>Point forecast with the information needed for intervals, as produced inside a model.</summary>
/// <param name="Detail">Concrete specification, e.g. ETS(A,N,N).</param>
/// <param name="Mean">Point forecasts.</param>
/// <param name="StdDev">Forecast standard deviation per step when analytic, else null.</param>
/// <param name="Paths">Simulated future sample paths when simulated, else null.</param>
/// <param name="Fixed">The model with its specification frozen (for backtest refits); null means "same model".</param>
/// <param name="Bounds">Exact interval bounds per level when neither symmetric (mean ± z·sd) nor simulated, e.g. normal
/// quantiles back-transformed from a Box-Cox scale; null otherwise.</param>
internal sealed record ModelOutput(string Detail, double[] Mean, double[]? StdDev, double[][]? Paths = null, ModelBase? Fixed = null, Func<double, (double[] Lo, double[] Hi)>? Bounds = null)
{
    /// <summary>True when the model gives its own intervals (analytic, bounds or simulated).</summary>
    public bool HasIntervals => StdDev is not null || Bounds is not null || Paths is not null;
}

/// <summary>Shared plumbing: validation and turning <see cref="ModelOutput"/> into a <see cref="ForecastResult"/>.</summary>
public abstract class ModelBase : IForecastModel
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>Smallest series length the model accepts for the given seasonal periods.</summary>
    public virtual int MinimumLength(IReadOnlyList<int> periods) => 1;

    /// <inheritdoc />
    public ForecastResult Forecast(ForecastRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var y = Validate(request);
        var output = Run(y, request.Horizon, [.. request.SeasonalPeriods]);
        return ToResult(Name, output, request.Levels);
    }

    internal abstract ModelOutput Run(double[] y, int horizon, int[] periods);

    internal static double[] Validate(ForecastRequest request)
    {
        if (request.Horizon <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Horizon, "Horizon must be at least 1 step.");
        }

        if (request.Values.Count == 0)
        {
            throw new ArgumentException("The series is empty; at least 1 observation is needed.", nameof(request));
        }

        var y = request.Values.ToArray();
        for (int i = 0; i < y.Length; i++)
        {
            if (!double.IsFinite(y[i]))
            {
                throw new ArgumentException($"Value at index {i} is {y[i]}; fill missing values before forecasting.", nameof(request));
            }
        }

        foreach (var level in request.Levels)
        {
            if (!(level > 0 && level < 100))
            {
                throw new ArgumentException($"Interval level {level} is outside (0, 100).", nameof(request));
            }
        }

        return y;
    }

    internal static ForecastResult ToResult(string name, ModelOutput output, IReadOnlyList<double> levels)
    {
        var method = output.StdDev is not null || output.Bounds is not null ? IntervalMethod.Analytic : output.Paths is not null ? IntervalMethod.Simulated : IntervalMethod.None;
        var intervals = new List<PredictionInterval>();
        foreach (var level in levels)
        {
            var (lo, hi) = IntervalsFrom(output, level);
            intervals.Add(new PredictionInterval(level, lo, hi));
        }

        return new ForecastResult
        {
            Model = name,
            Detail = output.Detail,
            Mean = output.Mean,
            Intervals = intervals,
            IntervalMethod = method,
        };
    }

    internal static (double[] Lo, double[] Hi) IntervalsFrom(ModelOutput output, double level)
    {
        int h = output.Mean.Length;
        var lo = new double[h];
        var hi = new double[h];
        if (output.Bounds is { } bounds)
        {
            return bounds(level);
        }

        if (output.StdDev is { } sd)
        {
            double z = Stats.Z(level);
            for (int i = 0; i < h; i++)
            {
                lo[i] = output.Mean[i] - z * sd[i];
                hi[i] = output.Mean[i] + z * sd[i];
            }
        }
        else if (output.Paths is { } paths)
        {
            var col = new double[paths.Length];
            double a = (1 - level / 100) / 2;
            for (int i = 0; i < h; i++)
            {
                for (int p = 0; p < paths.Length; p++)
                {
                    col[p] = paths[p][i];
                }

                Array.Sort(col);
                lo[i] = Math.Min(output.Mean[i], Stats.QuantileSorted(col, a));
                hi[i] = Math.Max(output.Mean[i], Stats.QuantileSorted(col, 1 - a));
            }
        }
        else
        {
            Array.Copy(output.Mean, lo, h);
            Array.Copy(output.Mean, hi, h);
        }

        return (lo, hi);
    }

    /// <summary>Largest period p with at least <paramref name="cycles"/> full cycles in n points, or 0.</summary>
    internal static int UsablePeriod(int[] periods, int n, int cycles = 2, bool largest = false)
    {
        int best = 0;
        foreach (var p in periods)
        {
            if (p >= 2 && n >= cycles * p)
            {
                if (best == 0 || (largest ? p > best : p < best))
                {
                    best = p;
                }
            }
        }

        return best;
    }
}
