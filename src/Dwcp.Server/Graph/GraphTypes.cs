using Dwcp.Core;
using Dwcp.Core.Costs;
using Dwcp.Storage;
using GraphQL.Types;

namespace Dwcp.Server.Graph;

/// <summary>One metric line as GraphQL returns it.</summary>
public sealed record CostMetricView(
    string Timestamp,
    CloudProvider? Provider,
    string? ProviderName,
    IReadOnlyDictionary<CostDimension, string?> Keys,
    string Currency,
    decimal Cost,
    decimal BilledCost,
    decimal EffectiveCost,
    decimal ListCost,
    decimal? Usage,
    string? UsageUnit,
    long RowCount,
    bool IsOther)
{
    public string? Key(CostDimension d) => Keys.TryGetValue(d, out var v) ? v : null;
}

/// <summary>The answer of getCostMetrics.</summary>
public sealed record CostMetricsView(
    IReadOnlyList<CostMetricView> Metrics,
    CostSummary? Summary,
    IReadOnlyList<CostSummary> Summaries,
    IReadOnlyList<string> Currencies,
    PageInfoView PageInfo,
    string Scope,
    string? ReportingCurrency = null,
    IReadOnlyList<RateUsed>? RatesUsed = null)
{
    /// <summary>Which stored data answered the metrics.</summary>
    public CostSource Source { get; init; } = CostSource.Raw;

    /// <summary>True when the metrics and totals are estimates from a sample.</summary>
    public bool Approximate { get; init; }

    /// <summary>Per currency: the estimated total of the asked cost type and its 95% interval (empty when exact).</summary>
    public IReadOnlyList<EstimateView> Estimates { get; init; } = [];
}

/// <summary>An estimated total of one currency with its 95% interval.</summary>
public sealed record EstimateView(string Currency, double Ratio, long RowsScanned, decimal Total, decimal LowerBound, decimal UpperBound)
{
    /// <summary>The view of a sampled total for a measure.</summary>
    public static EstimateView Of(CurrencyTotal t, CostMeasure measure)
    {
        ArgumentNullException.ThrowIfNull(t);
        var e = t.Estimate ?? throw new ArgumentException("The total is exact.", nameof(t));
        var interval = measure switch { CostMeasure.Effective => e.Effective, CostMeasure.List => e.List, _ => e.Billed };
        return new EstimateView(t.Currency, e.Ratio, e.RowsScanned, t.Get(measure), interval.Lower, interval.Upper);
    }
}

/// <summary>GraphQL type of <see cref="EstimateView"/>.</summary>
public sealed class CostEstimateType : ObjectGraphType<EstimateView>
{
    /// <summary>Declares the fields.</summary>
    public CostEstimateType()
    {
        Name = "CostEstimate";
        Description = "An estimated total from a row sample: the 95% interval is estimate ± 1.96·√((1−p)/p²·Σy²) over the sampled rows (docs/cost-queries.md).";
        Field<NonNullGraphType<StringGraphType>>("currency").Resolve(c => c.Source.Currency);
        Field<NonNullGraphType<FloatGraphType>>("ratio").Description("Fraction of rows sampled.").Resolve(c => c.Source.Ratio);
        Field<NonNullGraphType<LongGraphType>>("rowsScanned").Description("Rows in the sample.").Resolve(c => c.Source.RowsScanned);
        Field<NonNullGraphType<DecimalGraphType>>("total").Description("Estimated total of the asked cost type.").Resolve(c => c.Source.Total);
        Field<NonNullGraphType<DecimalGraphType>>("lowerBound").Resolve(c => c.Source.LowerBound);
        Field<NonNullGraphType<DecimalGraphType>>("upperBound").Resolve(c => c.Source.UpperBound);
    }
}

/// <summary>Cursor paging facts.</summary>
public sealed record PageInfoView(bool HasNextPage, string? EndCursor, long TotalCount);

public sealed class CostMetricType : ObjectGraphType<CostMetricView>
{
    public CostMetricType()
    {
        Name = "CostMetric";
        Description = "Cost of one group in one time bucket, in one currency.";
        Field<NonNullGraphType<StringGraphType>>("timestamp").Description("Start of the bucket, UTC: YYYY-MM-DD for days, weeks and months (the range start for TOTAL), YYYY-MM-DDTHH:00:00Z for HOURLY.").Resolve(c => c.Source.Timestamp);
        Field<CloudProviderEnum>("provider").Resolve(c => c.Source.Provider);
        Field<StringGraphType>("providerName").Description("FOCUS ProviderName as delivered.").Resolve(c => c.Source.ProviderName);
        Field<StringGraphType>("service").Resolve(c => c.Source.Key(CostDimension.Service));
        Field<StringGraphType>("region").Resolve(c => c.Source.Key(CostDimension.Region));
        Field<StringGraphType>("billingAccount").Resolve(c => c.Source.Key(CostDimension.BillingAccount));
        Field<StringGraphType>("subAccount").Resolve(c => c.Source.Key(CostDimension.SubAccount));
        Field<StringGraphType>("serviceCategory").Resolve(c => c.Source.Key(CostDimension.ServiceCategory));
        Field<StringGraphType>("resource").Resolve(c => c.Source.Key(CostDimension.Resource));
        Field<StringGraphType>("chargeCategory").Resolve(c => c.Source.Key(CostDimension.ChargeCategory));
        Field<StringGraphType>("pricingCategory").Resolve(c => c.Source.Key(CostDimension.PricingCategory));
        Field<StringGraphType>("tagValue").Description("Value of the tagKey when grouping by TAG; null for untagged cost.").Resolve(c => c.Source.Key(CostDimension.Tag));
        Field<NonNullGraphType<StringGraphType>>("currency").Resolve(c => c.Source.Currency);
        Field<NonNullGraphType<DecimalGraphType>>("cost").Description("The costType measure, aggregated as asked.").Resolve(c => c.Source.Cost);
        Field<NonNullGraphType<DecimalGraphType>>("billedCost").Resolve(c => c.Source.BilledCost);
        Field<NonNullGraphType<DecimalGraphType>>("effectiveCost").Resolve(c => c.Source.EffectiveCost);
        Field<NonNullGraphType<DecimalGraphType>>("listCost").Resolve(c => c.Source.ListCost);
        Field<NonNullGraphType<DecimalGraphType>>("savings").Description("listCost − effectiveCost.").Resolve(c => c.Source.ListCost - c.Source.EffectiveCost);
        Field<DecimalGraphType>("usage").Description("Sum of ConsumedQuantity when the group has a single ConsumedUnit; otherwise null.").Resolve(c => c.Source.Usage);
        Field<StringGraphType>("usageUnit").Resolve(c => c.Source.UsageUnit);
        Field<NonNullGraphType<LongGraphType>>("rowCount").Description("FOCUS rows summed (lineage).").Resolve(c => c.Source.RowCount);
        Field<NonNullGraphType<BooleanGraphType>>("isOther").Description("True for the bucket that folds groups outside the top N.").Resolve(c => c.Source.IsOther);
    }
}

public sealed class CostSummaryType : ObjectGraphType<CostSummary>
{
    public CostSummaryType()
    {
        Name = "CostSummary";
        Field<NonNullGraphType<StringGraphType>>("currency").Resolve(c => c.Source.Currency);
        Field<NonNullGraphType<DecimalGraphType>>("totalCost").Resolve(c => c.Source.TotalCost);
        Field<NonNullGraphType<DecimalGraphType>>("averageDailyCost").Description("totalCost / days in the range (inclusive).").Resolve(c => c.Source.AverageDailyCost);
        Field<NonNullGraphType<TrendEnum>>("trend").Resolve(c => c.Source.Trend);
        Field<NonNullGraphType<IntGraphType>>("days").Resolve(c => c.Source.Days);
        Field<FloatGraphType>("relativeChange").Description("Fitted change over the range relative to mean daily cost (0.1 = +10%).").Resolve(c => c.Source.RelativeChange);
    }
}

public sealed class PageInfoType : ObjectGraphType<PageInfoView>
{
    public PageInfoType()
    {
        Name = "PageInfo";
        Field<NonNullGraphType<BooleanGraphType>>("hasNextPage").Resolve(c => c.Source.HasNextPage);
        Field<StringGraphType>("endCursor").Description("Pass as `after` to get the next page.").Resolve(c => c.Source.EndCursor);
        Field<NonNullGraphType<LongGraphType>>("totalCount").Resolve(c => c.Source.TotalCount);
    }
}

public sealed class CostMetricsResultType : ObjectGraphType<CostMetricsView>
{
    public CostMetricsResultType()
    {
        Name = "CostMetricsResult";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CostMetricType>>>>("metrics").Resolve(c => c.Source.Metrics);
        Field<CostSummaryType>("summary").Description("Summary of the answer's single currency; null when it spans several (see summaries).").Resolve(c => c.Source.Summary);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CostSummaryType>>>>("summaries").Description("One summary per currency; amounts in different currencies are never added.").Resolve(c => c.Source.Summaries);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("currencies").Resolve(c => c.Source.Currencies);
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => c.Source.PageInfo);
        Field<NonNullGraphType<StringGraphType>>("scope").Description("The scope the answer was restricted to (set by the server, never by the request).").Resolve(c => c.Source.Scope);
        Field<StringGraphType>("reportingCurrency").Description("The currency every amount was converted to (the currency argument), or null.").Resolve(c => c.Source.ReportingCurrency);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RateUsedType>>>>("ratesUsed").Description("Every exchange rate a converted answer used, per billing currency and charge day.").Resolve(c => c.Source.RatesUsed ?? []);
        Field<NonNullGraphType<StringGraphType>>("source").Description("Which stored data answered: ROLLUP (the daily summary) or RAW (the cost rows).").Resolve(c => c.Source.Source == CostSource.Rollup ? "ROLLUP" : "RAW");
        Field<NonNullGraphType<BooleanGraphType>>("approximate").Description("True when metrics and totals are estimates from a sample (approximate/sample arguments).").Resolve(c => c.Source.Approximate);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CostEstimateType>>>>("estimates").Description("Per currency, the estimated total and its 95% interval; empty for an exact answer.").Resolve(c => c.Source.Estimates);
    }
}

public sealed class RateUsedType : ObjectGraphType<RateUsed>
{
    public RateUsedType()
    {
        Name = "RateUsed";
        Description = "Amounts in `from` charged on `chargeDate` were multiplied by `rate` (published for `rateDate`) to give `to`.";
        Field<NonNullGraphType<StringGraphType>>("from").Resolve(c => c.Source.From);
        Field<NonNullGraphType<StringGraphType>>("to").Resolve(c => c.Source.To);
        Field<NonNullGraphType<StringGraphType>>("chargeDate").Resolve(c => c.Source.ChargeDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<StringGraphType>>("rateDate").Resolve(c => c.Source.RateDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<DecimalGraphType>>("rate").Resolve(c => c.Source.Rate);
        Field<StringGraphType>("via").Description("Pivot currency of a cross rate.").Resolve(c => c.Source.Via);
    }
}

public sealed class DataRangeType : ObjectGraphType<DataRange>
{
    public DataRangeType()
    {
        Name = "DataRange";
        Field<StringGraphType>("from").Resolve(c => c.Source.From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Field<StringGraphType>("to").Resolve(c => c.Source.To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<LongGraphType>>("rowCount").Resolve(c => c.Source.RowCount);
    }
}

public sealed class StoreInfoType : ObjectGraphType<StoreInfo>
{
    public StoreInfoType()
    {
        Name = "StoreInfo";
        Field<NonNullGraphType<StringGraphType>>("backend").Resolve(c => c.Source.Backend);
        Field<NonNullGraphType<IntGraphType>>("schemaVersion").Resolve(c => c.Source.SchemaVersion);
        Field<NonNullGraphType<LongGraphType>>("visibleRows").Resolve(c => c.Source.VisibleRows);
        Field<NonNullGraphType<LongGraphType>>("loads").Resolve(c => c.Source.Loads);
    }
}

public sealed class TagCoverageType : ObjectGraphType<TagCoverage>
{
    public TagCoverageType()
    {
        Name = "TagCoverage";
        Field<NonNullGraphType<StringGraphType>>("key").Resolve(c => c.Source.Key);
        Field<StringGraphType>("provider").Resolve(c => c.Source.Provider);
        Field<StringGraphType>("billingAccountId").Resolve(c => c.Source.BillingAccountId);
        Field<NonNullGraphType<StringGraphType>>("currency").Resolve(c => c.Source.Currency);
        Field<NonNullGraphType<DecimalGraphType>>("taggedCost").Resolve(c => c.Source.TaggedCost);
        Field<NonNullGraphType<DecimalGraphType>>("untaggedCost").Resolve(c => c.Source.UntaggedCost);
        Field<NonNullGraphType<DecimalGraphType>>("totalCost").Resolve(c => c.Source.TotalCost);
        Field<FloatGraphType>("share").Description("taggedCost / totalCost; null when the total is zero.").Resolve(c => c.Source.Share);
        Field<NonNullGraphType<LongGraphType>>("taggedRows").Resolve(c => c.Source.TaggedRows);
        Field<NonNullGraphType<LongGraphType>>("totalRows").Resolve(c => c.Source.TotalRows);
    }
}

public sealed class CostForecastType : ObjectGraphType<Dwcp.Cost.Forecasts.PeriodForecast>
{
    public CostForecastType()
    {
        Name = "CostForecast";
        Description = "The product guide's CostForecast: the sum of daily cost over the period, forecast from the daily history.";
        Field<NonNullGraphType<StringGraphType>>("period").Resolve(c => c.Source.Period);
        Field<NonNullGraphType<StringGraphType>>("currency").Resolve(c => c.Source.Currency);
        Field<NonNullGraphType<DecimalGraphType>>("currentCost").Description("Cost of the last `period` days of history; when the history holds fewer days (currentCostDays < period), those days' cost scaled to the period, with a note.").Resolve(c => c.Source.Forecast.CurrentCost);
        Field<NonNullGraphType<IntGraphType>>("currentCostDays").Description("Days of history behind currentCost: the period, or fewer when the history is shorter (then currentCost is scaled).").Resolve(c => c.Source.Forecast.CurrentCostDays);
        Field<NonNullGraphType<DecimalGraphType>>("predictedCost").Description("Sum of the forecast means over the period.").Resolve(c => c.Source.Forecast.PredictedCost);
        Field<NonNullGraphType<DecimalGraphType>>("confidenceLower").Description("Lower bound of the period's sum at `level`.").Resolve(c => c.Source.Forecast.LowerBound);
        Field<NonNullGraphType<DecimalGraphType>>("confidenceUpper").Description("Upper bound of the period's sum at `level`.").Resolve(c => c.Source.Forecast.UpperBound);
        Field<NonNullGraphType<FloatGraphType>>("level").Resolve(c => c.Source.Forecast.Level);
        Field<NonNullGraphType<StringGraphType>>("trend").Description("increasing, decreasing or stable.").Resolve(c => c.Source.Forecast.Trend.ToString().ToLowerInvariant());
        Field<NonNullGraphType<SeasonalityType>>("seasonality").Resolve(c => c.Source.Forecast);
        Field<FloatGraphType>("accuracyScore").Description("1 − WAPE of a rolling-origin backtest at the same horizon; null when the history is too short (see accuracyUnavailableReason).").Resolve(c => c.Source.Forecast.AccuracyScore);
        Field<StringGraphType>("accuracyUnavailableReason").Resolve(c => c.Source.Forecast.AccuracyUnavailableReason);
        Field<NonNullGraphType<StringGraphType>>("model").Resolve(c => c.Source.Forecast.Model);
        Field<NonNullGraphType<StringGraphType>>("boundsMethod").Description("How the bounds were computed (see docs/forecasting.md).").Resolve(c => c.Source.Forecast.BoundsMethod);
        Field<NonNullGraphType<BooleanGraphType>>("lowConfidence").Description("True exactly when confidenceNotes is not empty: bounds extrapolated beyond the backtest, capped or model-only; history under two months or shorter than the period; no accuracy score; or accuracyScore below 0.5.").Resolve(c => c.Source.Forecast.LowConfidence);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("confidenceNotes").Resolve(c => c.Source.Forecast.ConfidenceNotes);
        Field<NonNullGraphType<StringGraphType>>("historyFrom").Resolve(c => c.Source.HistoryFrom.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<StringGraphType>>("historyTo").Resolve(c => c.Source.HistoryTo.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<DailyForecastType>>>>("daily").Resolve(c => c.Source.Forecast.Daily);
    }
}

public sealed class SeasonalityType : ObjectGraphType<Dwcp.Forecasting.Cost.CostForecast>
{
    public SeasonalityType()
    {
        Name = "Seasonality";
        Description = "Seasonal strength in [0, 1] (1 − Var(remainder) / Var(season + remainder)).";
        Field<NonNullGraphType<FloatGraphType>>("weekly").Resolve(c => c.Source.WeeklySeasonality);
        Field<NonNullGraphType<FloatGraphType>>("monthly").Resolve(c => c.Source.MonthlySeasonality);
    }
}

public sealed class DailyForecastType : ObjectGraphType<Dwcp.Forecasting.Cost.DailyCostForecast>
{
    public DailyForecastType()
    {
        Name = "DailyForecast";
        Field<NonNullGraphType<StringGraphType>>("date").Resolve(c => c.Source.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<DecimalGraphType>>("mean").Resolve(c => c.Source.Mean);
        Field<NonNullGraphType<DecimalGraphType>>("lower").Resolve(c => c.Source.Lower);
        Field<NonNullGraphType<DecimalGraphType>>("upper").Resolve(c => c.Source.Upper);
    }
}
