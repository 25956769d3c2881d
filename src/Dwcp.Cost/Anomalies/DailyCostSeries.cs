using Dwcp.Core.Costs;

namespace Dwcp.Cost.Anomalies;

/// <summary>One daily cost series: its key, first day and parts by charge kind.</summary>
internal sealed record DailyCostSeries(AnomalySeriesKey Key, DateOnly First, SeriesParts Parts)
{
    /// <summary>
    /// Daily series per provider/service/currency and, where a service spans several billing accounts, per account too,
    /// read through the query layer (so the caller's scope applies) grouped by charge category, which splits every day into
    /// usage, recurring and one-time parts (<see cref="CalendarCharges.KindOf"/>).
    /// </summary>
    public static async Task<List<DailyCostSeries>> LoadAsync(CostQueryService costs, DateOnly from, DateOnly to, IReadOnlyList<string>? services, CostMeasure measure, CostScope scope, CancellationToken ct)
    {
        IReadOnlyList<CostFilter> filters = services is { Count: > 0 } s ? [new CostFilter(new CostGrouping(CostDimension.Service), s.Select(x => (string?)x).ToArray())] : [];
        var lines = new List<CostLine>();
        string? cursor = null;
        do
        {
            var page = await costs.QueryAsync(new CostQuery
            {
                From = from,
                To = to,
                Grain = CostGrain.Day,
                GroupBy = [new CostGrouping(CostDimension.Provider), new CostGrouping(CostDimension.Service), new CostGrouping(CostDimension.BillingAccount), new CostGrouping(CostDimension.ChargeCategory)],
                Filters = filters,
                RankBy = measure,
                PageSize = costs.Options.MaxResults,
                Cursor = cursor,
            }, scope, ct).ConfigureAwait(false);
            lines.AddRange(page.Lines);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var result = new List<DailyCostSeries>();
        foreach (var service in lines.GroupBy(l => (Provider: l.Keys[0] ?? "(none)", Service: l.Keys[1] ?? "(none)", l.Currency)).OrderBy(g => g.Key.Provider, StringComparer.Ordinal).ThenBy(g => g.Key.Service, StringComparer.Ordinal).ThenBy(g => g.Key.Currency, StringComparer.Ordinal))
        {
            var (provider, name, currency) = service.Key;
            result.Add(Build(new AnomalySeriesKey(provider, name, null, currency), service, to, measure));
            var accounts = service.GroupBy(l => l.Keys[2] ?? "(none)", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            if (accounts.Count > 1)
            {
                result.AddRange(accounts.Select(a => Build(new AnomalySeriesKey(provider, name, a.Key, currency), a, to, measure)));
            }
        }

        return result;
    }

    private static DailyCostSeries Build(AnomalySeriesKey key, IEnumerable<CostLine> lines, DateOnly to, CostMeasure measure)
    {
        var byDay = new Dictionary<DateOnly, (decimal Usage, decimal Recurring, decimal OneTime)>();
        foreach (var l in lines)
        {
            var day = l.PeriodStart!.Value;
            var cost = l.Get(measure);
            var sum = byDay.GetValueOrDefault(day);
            byDay[day] = CalendarCharges.KindOf(l.Keys[3]) switch
            {
                ChargeKind.Recurring => sum with { Recurring = sum.Recurring + cost },
                ChargeKind.OneTime => sum with { OneTime = sum.OneTime + cost },
                _ => sum with { Usage = sum.Usage + cost },
            };
        }

        var first = byDay.Keys.Min();
        var n = to.DayNumber - first.DayNumber + 1;
        var parts = new SeriesParts(new decimal[n], new decimal[n], new decimal[n]);
        foreach (var (day, cost) in byDay)
        {
            var i = day.DayNumber - first.DayNumber;
            (parts.Usage[i], parts.Recurring[i], parts.OneTime[i]) = cost;
        }

        return new DailyCostSeries(key, first, parts);
    }
}
