using System.Globalization;
using Dwcp.Core;
using Dwcp.Core.Costs;
using Dwcp.Forecasting.Cost;

namespace Dwcp.Cost.Forecasts;

/// <summary>One forecast of <see cref="CostForecastService"/> with the period it answers and the currency of its amounts.</summary>
/// <param name="Period">The period as asked, e.g. <c>30d</c>.</param>
/// <param name="Currency">Currency of every amount.</param>
/// <param name="HistoryFrom">First day of the history used.</param>
/// <param name="HistoryTo">Last day of the history used (the forecast starts the day after).</param>
/// <param name="Forecast">The forecast.</param>
public sealed record PeriodForecast(string Period, string Currency, DateOnly HistoryFrom, DateOnly HistoryTo, CostForecast Forecast);

/// <summary>
/// The product guide's <c>forecast_costs(provider, service, periods)</c>: daily cost series read through the query layer
/// (so scope, filters and currency conversion apply exactly as for any other answer), forecast with
/// <see cref="CostForecaster.ForecastPeriods"/> once for all periods (see <c>docs/api.md</c>, <c>forecastCosts</c>).
/// </summary>
public sealed class CostForecastService(CostQueryService costs)
{
    /// <summary>Days of history used by default (the last year with data).</summary>
    public const int DefaultHistoryDays = 365;

    /// <summary>Forecasts the daily cost selected by <paramref name="filters"/> for each period (<c>30d</c>, <c>8w</c>, <c>3m</c> = 90 days).</summary>
    public async Task<IReadOnlyList<PeriodForecast>> ForecastAsync(
        IReadOnlyList<CostFilter> filters, IReadOnlyList<string> periods, CostMeasure measure, CostScope scope,
        string? currency = null, int historyDays = DefaultHistoryDays, double level = 95, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(periods);
        var horizons = periods.Select(p => (Period: p, Days: ParsePeriod(p))).ToArray();
        if (historyDays is < 2 or > 3660)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"historyDays must be between 2 and 3660; got {historyDays}.");
        }

        if (level is <= 0 or >= 100)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"level must be between 0 and 100 (a percentage, e.g. 95); got {level}.");
        }

        var range = await costs.GetDataRangeAsync(scope, cancellationToken).ConfigureAwait(false);
        if (range.To is not { } to)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, "The store holds no cost data to forecast from. Import billing data first.");
        }

        var from = to.AddDays(-(historyDays - 1));
        if (range.From is { } first && first > from)
        {
            from = first;
        }

        var answer = await costs.QueryAsync(new CostQuery { From = from, To = to, Grain = CostGrain.Day, Filters = filters, RankBy = measure, Currency = currency, PageSize = costs.Options.MaxResults }, scope, cancellationToken)
            .ConfigureAwait(false);
        if (answer.Lines.Count == 0)
        {
            // No rows is not a zero forecast: a misspelt service or a provider without data must say so.
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument,
                $"No cost rows match {Describe(filters)} between {from:yyyy-MM-dd} and {to:yyyy-MM-dd} (the last {historyDays} days of data), so there is nothing to forecast. Check the spelling against getCostMetrics grouped by service or provider, or widen historyDays.");
        }

        var currencies = answer.Lines.Select(l => l.Currency).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (currencies.Length > 1)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument,
                $"The selected cost is in {string.Join(", ", currencies)}; amounts in different currencies are never added. Ask with a reporting currency (currency: \"USD\") or filter one currency.");
        }

        var byDay = answer.Lines.ToDictionary(l => l.PeriodStart!.Value, l => l.Get(measure));
        var history = new List<DailyCost>(to.DayNumber - from.DayNumber + 1);
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            history.Add(new DailyCost(d, byDay.GetValueOrDefault(d)));
        }

        var unit = currencies.FirstOrDefault() ?? currency ?? "USD";

        // One forecast path to the longest period; each period is the sum of its first days (monotone, and the 30-day
        // card is the first 30 days of the fan chart).
        var forecasts = CostForecaster.ForecastPeriods(history, [.. horizons.Select(h => h.Days)], level);
        return [.. horizons.Select((h, i) => new PeriodForecast(h.Period, unit, from, to, forecasts[i]))];
    }

    /// <summary>
    /// The issue's <c>ForecastCostsAsync(provider, service, periods)</c>: <see cref="ForecastAsync"/> with the cost of one
    /// provider (every <c>ProviderName</c> in the store that maps to it) and one <c>ServiceName</c>, either optional.
    /// </summary>
    /// <param name="provider">Only this provider; null for all.</param>
    /// <param name="service">Only this ServiceName (exact); null for all.</param>
    /// <param name="periods">Periods such as <c>30d</c>, <c>60d</c>, <c>90d</c>.</param>
    /// <param name="scope">The caller's scope.</param>
    /// <param name="measure">Cost measure (the GraphQL field's default is billed cost).</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    public async Task<IReadOnlyList<PeriodForecast>> ForecastCostsAsync(
        CloudProvider? provider, string? service, IReadOnlyList<string> periods, CostScope scope, CostMeasure measure = CostMeasure.Billed, CancellationToken cancellationToken = default)
    {
        var filters = new List<CostFilter>();
        if (service is { Length: > 0 })
        {
            filters.Add(new CostFilter(new CostGrouping(CostDimension.Service), [service]));
        }

        if (provider is { } p)
        {
            var range = await costs.GetDataRangeAsync(scope, cancellationToken).ConfigureAwait(false);
            var names = range.To is { } to
                ? (await costs.QueryAsync(new CostQuery { From = range.From ?? to, To = to, GroupBy = [new CostGrouping(CostDimension.Provider)] }, scope, cancellationToken).ConfigureAwait(false))
                    .Lines.Select(l => l.Keys[0]).OfType<string>().Where(n => CloudProviders.FromProviderName(n) == p).Distinct(StringComparer.Ordinal).ToArray()
                : [];
            filters.Add(new CostFilter(new CostGrouping(CostDimension.Provider), names));
        }

        return await ForecastAsync(filters, periods, measure, scope, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(IReadOnlyList<CostFilter> filters) =>
        filters.Count == 0 ? "the caller's scope" : string.Join(" and ", filters.Select(f => $"{f.On} in [{string.Join(", ", f.Values)}]"));

    /// <summary>Parses <c>30d</c>, <c>4w</c>, <c>3m</c> (30 days a month) or a bare number of days.</summary>
    public static int ParsePeriod(string period)
    {
        ArgumentNullException.ThrowIfNull(period);
        var t = period.Trim().ToLowerInvariant();
        var (digits, factor) = t.EndsWith('d') ? (t[..^1], 1) : t.EndsWith('w') ? (t[..^1], 7) : t.EndsWith('m') ? (t[..^1], 30) : (t, 1);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n * factor <= 366
            ? n * factor
            : throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"'{period}' is not a forecast period: use days, weeks or months such as 30d, 8w or 3m (at most a year).");
    }
}
