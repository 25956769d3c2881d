using System.Globalization;
using Dwcp.Core;
using Dwcp.Core.Costs;
using Dwcp.Cost;

namespace Dwcp.Server.Graph;

/// <summary>Arguments of <c>getCostMetrics</c>.</summary>
public sealed record CostMetricsArgs(
    string StartDate,
    string EndDate,
    IReadOnlyList<CloudProvider>? Providers,
    IReadOnlyList<string>? Services,
    IReadOnlyList<CostDimension>? GroupBy,
    string? TagKey,
    CostAggregationKind Aggregation,
    CostMeasure CostType,
    Granularity Granularity,
    int? TopN,
    int? First,
    string? After,
    bool IncludeProvider,
    string? Currency = null,
    bool? Approximate = null,
    double? Sample = null,
    bool WithSummaries = true);

/// <summary>Turns <c>getCostMetrics</c> into cost-layer queries. All reads go through <see cref="CostQueryService"/>.</summary>
public sealed class CostMetricsResolver(CostQueryService costs, ICallerScope callerScope)
{
    /// <summary>Runs the query for the caller's scope.</summary>
    public async Task<CostMetricsView> ResolveAsync(CostMetricsArgs a, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(a);
        var scope = callerScope.Current;
        var from = ParseDate(a.StartDate, "startDate");
        var to = ParseDate(a.EndDate, "endDate");
        var filters = new List<CostFilter>();
        if (a.Services is { Count: > 0 } services)
        {
            filters.Add(new CostFilter(new CostGrouping(CostDimension.Service), services.ToArray()));
        }

        if (a.Providers is { Count: > 0 } providers)
        {
            filters.Add(await ProviderFilterAsync(from, to, providers, scope, cancellationToken).ConfigureAwait(false));
        }

        var dims = new List<CostDimension>();
        if (a.IncludeProvider)
        {
            dims.Add(CostDimension.Provider);
        }

        foreach (var d in a.GroupBy ?? [])
        {
            if (!dims.Contains(d))
            {
                dims.Add(d);
            }
        }

        if (dims.Contains(CostDimension.Tag) && string.IsNullOrWhiteSpace(a.TagKey))
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, "groupBy TAG needs the tagKey argument, e.g. tagKey: \"Department\".");
        }

        var groupings = dims.Select(d => d == CostDimension.Tag ? CostGrouping.ForTag(a.TagKey!) : new CostGrouping(d)).ToArray();
        var grain = a.Granularity switch
        {
            Granularity.Weekly => CostGrain.Week,
            Granularity.Monthly => CostGrain.Month,
            Granularity.Total => CostGrain.Total,
            Granularity.Hourly => CostGrain.Hour,
            _ => CostGrain.Day,
        };
        var result = await costs.QueryAsync(new CostQuery
        {
            From = from,
            To = to,
            GroupBy = groupings,
            Filters = filters,
            Grain = grain,
            RankBy = a.CostType,
            TopN = a.TopN,
            PageSize = a.First,
            Cursor = a.After,
            Currency = a.Currency,
            Sample = SampleOf(a),
        }, scope, cancellationToken).ConfigureAwait(false);

        var metrics = result.Lines.Select(l => ToView(l, dims, a, from, to, grain)).ToArray();
        // The daily summaries are a query of their own (exact even when the metrics are sampled): run it only when asked for.
        var summaries = a.WithSummaries
            ? await costs.SummarizeAsync(from, to, filters, a.CostType, scope, cancellationToken, a.Currency).ConfigureAwait(false)
            : [];
        return new CostMetricsView(
            metrics,
            summaries.Count == 1 ? summaries[0] : null,
            summaries,
            result.Totals.Select(t => t.Currency).ToArray(),
            new PageInfoView(result.NextCursor is not null, result.NextCursor, result.TotalLines),
            scope.ToString(),
            result.ReportingCurrency,
            result.RatesUsed)
        {
            Source = result.Source,
            Approximate = result.Approximate is not null,
            Estimates = result.Totals.Where(t => t.Estimate is not null).Select(t => EstimateView.Of(t, a.CostType)).ToArray(),
        };
    }

    /// <summary>
    /// The sample ratio the arguments ask for: <c>sample</c> when given (approximate may be omitted), 0.1 for
    /// <c>approximate: true</c> alone, and none otherwise: an exact query is never sampled.
    /// </summary>
    public static double? SampleOf(CostMetricsArgs a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Approximate == false && a.Sample is not null)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, "sample asks for an approximate answer but approximate is false; drop one of them.");
        }

        return a.Sample ?? (a.Approximate == true ? DefaultSample : null);
    }

    /// <summary>The ratio <c>approximate: true</c> samples when no <c>sample</c> is given.</summary>
    public const double DefaultSample = 0.1;

    /// <summary>Parses a YYYY-MM-DD argument or explains the expected form.</summary>
    public static DateOnly ParseDate(string value, string argument)
    {
        if (DateOnly.TryParseExact(value?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        throw new CostQueryException(CostQueryErrorKind.InvalidArgument,
            $"{argument} '{value}' is not a date in the form YYYY-MM-DD (e.g. \"2024-01-31\").");
    }

    /// <summary>A filter on the ProviderName values present in the range that map onto the asked providers.</summary>
    public async Task<CostFilter> ProviderFilterAsync(DateOnly from, DateOnly to, IReadOnlyList<CloudProvider> providers, CostScope scope, CancellationToken ct)
    {
        // ProviderName is free text in FOCUS; find the names present and keep those that map to the asked providers.
        if (to < from)
        {
            return new CostFilter(new CostGrouping(CostDimension.Provider), []);
        }

        var present = await costs.QueryAsync(new CostQuery
        {
            From = from,
            To = to,
            GroupBy = [new CostGrouping(CostDimension.Provider)],
        }, scope, ct).ConfigureAwait(false);
        var names = present.Lines.Select(l => l.Keys[0]).Where(n => n is not null && providers.Contains(CloudProviders.FromProviderName(n)))
            .Distinct(StringComparer.Ordinal).ToArray();
        return new CostFilter(new CostGrouping(CostDimension.Provider), names);
    }

    private static CostMetricView ToView(CostLine l, List<CostDimension> dims, CostMetricsArgs a, DateOnly from, DateOnly to, CostGrain grain)
    {
        var keys = new Dictionary<CostDimension, string?>();
        for (var i = 0; i < dims.Count; i++)
        {
            keys[dims[i]] = l.Keys[i];
        }

        var providerName = keys.GetValueOrDefault(CostDimension.Provider);
        var start = l.PeriodStart ?? from;
        var measure = l.Get(a.CostType);
        var cost = a.Aggregation switch
        {
            CostAggregationKind.Avg => measure / DaysInBucket(start, grain, from, to),
            CostAggregationKind.Count => l.RowCount,
            _ => measure,
        };
        return new CostMetricView(
            grain == CostGrain.Hour && l.PeriodStartTime is { } hour
                ? hour.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                : start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            l.IsOther || !dims.Contains(CostDimension.Provider) ? null : CloudProviders.FromProviderName(providerName),
            providerName,
            keys,
            l.Currency,
            cost,
            l.BilledCost,
            l.EffectiveCost,
            l.ListCost,
            l.ConsumedQuantity,
            l.ConsumedUnit,
            l.RowCount,
            l.IsOther);
    }

    private static int DaysInBucket(DateOnly start, CostGrain grain, DateOnly from, DateOnly to)
    {
        var end = grain switch
        {
            CostGrain.Day => start,
            CostGrain.Week => start.AddDays(6),
            CostGrain.Month => start.AddMonths(1).AddDays(-1),
            _ => to,
        };
        var s = start < from ? from : start;
        var e = end > to ? to : end;
        return Math.Max(1, e.DayNumber - s.DayNumber + 1);
    }
}
