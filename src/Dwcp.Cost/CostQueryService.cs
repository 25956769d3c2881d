using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dwcp.Core.Costs;
using Dwcp.Cost.Currency;
using Dwcp.Storage;

namespace Dwcp.Cost;

/// <summary>
/// The cost query layer: the single path through which every interface (GraphQL, CLI, dashboards, later analytics)
/// reads cost. It validates the question, applies the caller's <see cref="CostScope"/> (the only place scope is
/// enforced), enforces the time-out and result limits, pages, folds top-N into "Other", and never sums across
/// currencies.
/// </summary>
public sealed class CostQueryService
{
    private readonly ICostStore _store;
    private readonly CostQueryOptions _options;
    private readonly TimeProvider _time;
    private readonly IExchangeRateSource _rates;

    /// <summary>Creates the layer over a store.</summary>
    /// <param name="store">Where cost rows live.</param>
    /// <param name="options">Limits.</param>
    /// <param name="time">Clock for time-outs.</param>
    /// <param name="rates">Exchange rates for answers in a reporting currency (none: only same-currency answers convert).</param>
    public CostQueryService(ICostStore store, CostQueryOptions? options = null, TimeProvider? time = null, IExchangeRateSource? rates = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? new CostQueryOptions();
        _time = time ?? TimeProvider.System;
        _rates = rates ?? new FixedExchangeRates(ExchangeRateTable.Empty);
    }

    /// <summary>The limits in force.</summary>
    public CostQueryOptions Options => _options;

    /// <summary>Answers a cost question within the caller's scope.</summary>
    public async Task<CostQueryResult> QueryAsync(CostQuery query, CostScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scope);
        query = CanonicalTags(query);
        Validate(query);
        var pageSize = query.PageSize ?? _options.MaxResults;
        if (pageSize <= 0)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"The page size must be positive; got {pageSize}.");
        }

        if (pageSize > _options.MaxResults)
        {
            throw new CostQueryException(CostQueryErrorKind.LimitExceeded,
                $"A page of {pageSize:N0} lines exceeds the limit of {_options.MaxResults:N0} (api.max_results). Ask for at most {_options.MaxResults:N0} and follow the cursor for more.");
        }

        var fingerprint = Fingerprint(query, scope);
        var offset = DecodeCursor(query.Cursor, fingerprint);
        var filters = Canonical(ApplyScope(query.Filters, scope));
        if (query.Currency is not null)
        {
            return await ConvertedQueryAsync(query, scope, filters, NormalizeCurrency(query.Currency), pageSize, offset, fingerprint, cancellationToken).ConfigureAwait(false);
        }

        return await WithTimeout(async ct =>
        {
            IReadOnlyList<IReadOnlyList<string?>>? keep = null;
            if (query.TopN is { } n)
            {
                keep = await TopKeysAsync(query, filters, n, ct).ConfigureAwait(false);
            }

            var spec = new CostAggregation
            {
                From = query.From,
                To = query.To,
                GroupBy = query.GroupBy,
                Filters = filters,
                Grain = query.Grain,
                RankBy = query.RankBy,
                KeepKeys = keep,
                Limit = pageSize + 1,
                Offset = offset,
                Sample = query.Sample,
                Percentiles = query.Percentiles,
            };
            spec = spec with { Source = spec.RollupCanAnswer || (spec.HourlyRollupCanAnswer && _store.HasHourlyRollup) ? CostSource.Rollup : CostSource.Raw };
            var lines = await _store.AggregateAsync(spec, ct).ConfigureAwait(false);
            var hasMore = lines.Count > pageSize;
            var page = hasMore ? lines.Take(pageSize).ToArray() : lines;
            var total = hasMore || offset > 0
                ? await _store.CountLinesAsync(spec with { Limit = null, Offset = 0 }, ct).ConfigureAwait(false)
                : page.Count;
            var totals = query.Sample is null && !query.Percentiles
                ? await _store.TotalsAsync(query.From, query.To, filters, ct).ConfigureAwait(false)
                : await EstimatedTotalsAsync(spec, ct).ConfigureAwait(false);
            return new CostQueryResult
            {
                Source = spec.Source.Value,
                Approximate = query.Sample is { } ratio ? new CostApproximation(ratio, totals.Sum(t => t.Estimate?.RowsScanned ?? 0)) : null,
                Query = query,
                KeyNames = query.GroupBy.Select(g => g.ToString()).ToArray(),
                Lines = page,
                Totals = totals,
                NextCursor = hasMore ? EncodeCursor(offset + pageSize, fingerprint) : null,
                TotalLines = total,
                Scope = scope,
            };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Total, average daily cost and trend per currency over a range, within the caller's scope. The trend rule:
    /// fit a least-squares line to the daily totals (days without charges count as zero); its change over the range
    /// divided by the mean daily cost is the relative change; at or above +threshold it is INCREASING, at or below
    /// −threshold DECREASING, otherwise STABLE (also when the mean is not positive or the range is one day).
    /// </summary>
    /// <remarks>With a <paramref name="currency"/>, daily amounts are converted first and one summary comes back.</remarks>
    public async Task<IReadOnlyList<CostSummary>> SummarizeAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CostMeasure measure, CostScope scope, CancellationToken cancellationToken = default, string? currency = null)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(scope);
        Validate(new CostQuery { From = from, To = to, Filters = filters });
        var scoped = Canonical(ApplyScope(filters, scope));
        var lines = await WithTimeout(ct => _store.AggregateAsync(new CostAggregation
        {
            From = from,
            To = to,
            Filters = scoped,
            Grain = CostGrain.Day,
            RankBy = measure,
        }, ct), cancellationToken).ConfigureAwait(false);
        if (currency is not null)
        {
            var converted = CurrencyConversion.ConvertDays(lines, NormalizeCurrency(currency), _rates.Current).Lines;
            lines = CurrencyConversion.Regroup(converted, CostGrain.Day, measure, keep: null);
        }

        var days = to.DayNumber - from.DayNumber + 1;
        return lines.GroupBy(l => l.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Summarize(g.Key, from, days, g.ToDictionary(l => l.PeriodStart!.Value, l => l.Get(measure)), _options.TrendThreshold))
            .ToArray();
    }

    /// <summary>
    /// The share of cost that carries each tag key, per provider and billing account, per provider, and overall, each
    /// per currency (amounts in different currencies are never added). Keys are canonicalised by the tag policy; with no
    /// keys given, the policy's required keys are used.
    /// </summary>
    public async Task<IReadOnlyList<TagCoverage>> TagCoverageAsync(DateOnly from, DateOnly to, IReadOnlyList<string> keys, CostMeasure measure, CostScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(scope);
        Validate(new CostQuery { From = from, To = to });
        var wanted = (keys.Count > 0 ? keys : _options.TagPolicy.Required).Select(_options.TagPolicy.Canonical).Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, "Name the tag keys to check (e.g. Department,Environment), or set analytics.tags.required in dwcp.yaml.");
        }

        var filters = Canonical(ApplyScope([], scope));
        var result = new List<TagCoverage>();
        foreach (var key in wanted)
        {
            var lines = await WithTimeout(ct => _store.AggregateAsync(new CostAggregation
            {
                From = from,
                To = to,
                GroupBy = [new CostGrouping(CostDimension.Provider), new CostGrouping(CostDimension.BillingAccount), CostGrouping.ForTag(key)],
                Filters = filters,
                Grain = CostGrain.Total,
                RankBy = measure,
            }, ct), cancellationToken).ConfigureAwait(false);

            TagCoverage Sum(IEnumerable<CostLine> ls, string? provider, string? account, string currency)
            {
                var list = ls.ToList();
                var tagged = list.Where(l => l.Keys[2] is not null).ToList();
                return new TagCoverage(key, provider, account, currency, tagged.Sum(l => l.Get(measure)), list.Sum(l => l.Get(measure)), tagged.Sum(l => l.RowCount), list.Sum(l => l.RowCount));
            }

            foreach (var byCurrency in lines.GroupBy(l => l.Currency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                result.Add(Sum(byCurrency, null, null, byCurrency.Key));
                foreach (var byProvider in byCurrency.GroupBy(l => l.Keys[0] ?? string.Empty, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    result.Add(Sum(byProvider, byProvider.Key, null, byCurrency.Key));
                    foreach (var byAccount in byProvider.GroupBy(l => l.Keys[1] ?? string.Empty, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
                    {
                        result.Add(Sum(byAccount, byProvider.Key, byAccount.Key, byCurrency.Key));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>First and last charge day visible to the caller.</summary>
    public Task<DataRange> GetDataRangeAsync(CostScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return WithTimeout(ct => _store.GetDataRangeAsync(Canonical(ApplyScope([], scope)), ct), cancellationToken);
    }

    private CostQuery CanonicalTags(CostQuery q) => _options.TagPolicy.IsIdentity ? q : q with
    {
        GroupBy = q.GroupBy.Select(_options.TagPolicy.Canonical).ToArray(),
        Filters = Canonical(q.Filters),
    };

    private IReadOnlyList<CostFilter> Canonical(IReadOnlyList<CostFilter> filters) =>
        _options.TagPolicy.IsIdentity ? filters : filters.Select(f => f with { On = _options.TagPolicy.Canonical(f.On) }).ToArray();

    /// <summary>The filters with the scope's restrictions added. Public so callers can inspect, never to bypass.</summary>
    public static IReadOnlyList<CostFilter> ApplyScope(IReadOnlyList<CostFilter> filters, CostScope scope)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(scope);
        var list = new List<CostFilter>(filters);
        if (scope.BillingAccounts is { } accounts)
        {
            list.Add(new CostFilter(new CostGrouping(CostDimension.BillingAccount), accounts.Order(StringComparer.Ordinal).ToArray()));
        }

        foreach (var (key, values) in scope.TagValues.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            list.Add(new CostFilter(CostGrouping.ForTag(key), values.Order(StringComparer.Ordinal).ToArray()));
        }

        return list;
    }

    internal static CostSummary Summarize(string currency, DateOnly from, int days, IReadOnlyDictionary<DateOnly, decimal> byDay, double threshold)
    {
        var total = byDay.Values.Sum();
        var average = days > 0 ? total / days : 0m;
        if (days < 2)
        {
            return new CostSummary(currency, total, average, CostTrend.Stable, days, null);
        }

        // Least squares over t = 0..days-1; sums in double are fine for a direction (money totals stay decimal).
        double n = days, sumT = 0, sumY = 0, sumTt = 0, sumTy = 0;
        for (var t = 0; t < days; t++)
        {
            var y = (double)(byDay.TryGetValue(from.AddDays(t), out var v) ? v : 0m);
            sumT += t;
            sumY += y;
            sumTt += (double)t * t;
            sumTy += t * y;
        }

        var slope = ((n * sumTy) - (sumT * sumY)) / ((n * sumTt) - (sumT * sumT));
        var mean = sumY / n;
        if (mean <= 0)
        {
            return new CostSummary(currency, total, average, CostTrend.Stable, days, null);
        }

        var relative = slope * (days - 1) / mean;
        var trend = relative >= threshold ? CostTrend.Increasing : relative <= -threshold ? CostTrend.Decreasing : CostTrend.Stable;
        return new CostSummary(currency, total, average, trend, days, relative);
    }

    private async Task<CostQueryResult> ConvertedQueryAsync(CostQuery query, CostScope scope, IReadOnlyList<CostFilter> filters, string currency, int pageSize, long offset, string fingerprint, CancellationToken cancellationToken) =>
        await WithTimeout(async ct =>
        {
            // Daily lines per billing currency are the unit of conversion: each is multiplied by its day's rate, then
            // re-bucketed to the asked grain in the reporting currency. Hourly lines are converted at their day's rate.
            var unit = query.Grain == CostGrain.Hour ? CostGrain.Hour : CostGrain.Day;
            var daySpec = new CostAggregation { From = query.From, To = query.To, GroupBy = query.GroupBy, Filters = filters, Grain = unit, RankBy = query.RankBy };
            var dayCount = await _store.CountLinesAsync(daySpec, ct).ConfigureAwait(false);
            if (dayCount > _options.MaxConversionLines)
            {
                throw new CostQueryException(CostQueryErrorKind.LimitExceeded,
                    $"Converting to {currency} needs {dayCount:N0} daily lines; the limit is {_options.MaxConversionLines:N0}. Narrow the range or the grouping.");
            }

            var dayLines = await _store.AggregateAsync(daySpec, ct).ConfigureAwait(false);
            var (converted, rates) = CurrencyConversion.ConvertDays(dayLines, currency, _rates.Current);
            HashSet<string>? keep = null;
            if (query.TopN is { } n)
            {
                keep = converted.GroupBy(l => CurrencyConversion.KeyOf(l.Keys), StringComparer.Ordinal)
                    .Select(g => (Key: g.Key, Sum: g.Sum(l => l.Get(query.RankBy))))
                    .OrderByDescending(x => x.Sum).ThenBy(x => x.Key, StringComparer.Ordinal)
                    .Take(n).Select(x => x.Key).ToHashSet(StringComparer.Ordinal);
            }

            var all = CurrencyConversion.Regroup(converted, query.Grain, query.RankBy, keep);
            var page = all.Skip((int)Math.Min(offset, int.MaxValue)).Take(pageSize).ToArray();
            var hasMore = offset + page.Length < all.Count;
            CurrencyTotal[] totals = converted.Count == 0 ? [] :
            [
                new CurrencyTotal(currency, converted.Sum(l => l.BilledCost), converted.Sum(l => l.EffectiveCost), converted.Sum(l => l.ListCost), converted.Sum(l => l.RowCount)),
            ];
            return new CostQueryResult
            {
                Query = query,
                KeyNames = query.GroupBy.Select(g => g.ToString()).ToArray(),
                Lines = page,
                Totals = totals,
                NextCursor = hasMore ? EncodeCursor(offset + pageSize, fingerprint) : null,
                TotalLines = all.Count,
                Scope = scope,
                ReportingCurrency = currency,
                RatesUsed = rates,
            };
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Totals per currency from the same sample (and with the same percentiles) as the lines.</summary>
    private async Task<IReadOnlyList<CurrencyTotal>> EstimatedTotalsAsync(CostAggregation spec, CancellationToken ct)
    {
        var lines = await _store.AggregateAsync(spec with { GroupBy = [], Grain = CostGrain.Total, KeepKeys = null, Limit = null, Offset = 0 }, ct).ConfigureAwait(false);
        return lines.Select(l => new CurrencyTotal(l.Currency, l.BilledCost, l.EffectiveCost, l.ListCost, l.RowCount) { Estimate = l.Estimate, Percentiles = l.Percentiles })
            .ToArray();
    }

    private static string NormalizeCurrency(string currency)
    {
        var c = currency.Trim().ToUpperInvariant();
        return c.Length == 3 && c.All(char.IsAsciiLetterUpper)
            ? c
            : throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"'{currency}' is not an ISO 4217 currency code (three letters, e.g. USD or EUR).");
    }

    private async Task<IReadOnlyList<IReadOnlyList<string?>>> TopKeysAsync(CostQuery query, IReadOnlyList<CostFilter> filters, int n, CancellationToken ct)
    {
        var ranked = await _store.AggregateAsync(new CostAggregation
        {
            From = query.From,
            To = query.To,
            GroupBy = query.GroupBy,
            Filters = filters,
            Grain = CostGrain.Total,
            RankBy = query.RankBy,
            Sample = query.Sample,
        }, ct).ConfigureAwait(false);

        // Rank key tuples by their largest single-currency total; amounts in different currencies are never added.
        return ranked
            .GroupBy(l => string.Join('\u001f', l.Keys.Select(k => k ?? "\u0000")), StringComparer.Ordinal)
            .Select(g => (Keys: g.First().Keys, Max: g.Max(l => l.Get(query.RankBy))))
            .OrderByDescending(x => x.Max)
            .ThenBy(x => string.Join('\u001f', x.Keys.Select(k => k ?? string.Empty)), StringComparer.Ordinal)
            .Take(n)
            .Select(x => x.Keys)
            .ToArray();
    }

    private void Validate(CostQuery query)
    {
        if (query.To < query.From)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument,
                $"The end date {query.To:yyyy-MM-dd} is before the start date {query.From:yyyy-MM-dd}. Dates are inclusive; swap them or fix the end date.");
        }

        var days = query.To.DayNumber - query.From.DayNumber + 1;
        if (days > _options.MaxRangeDays)
        {
            throw new CostQueryException(CostQueryErrorKind.LimitExceeded,
                $"The range spans {days:N0} days; the limit is {_options.MaxRangeDays:N0}. Narrow the range.");
        }

        foreach (var g in query.GroupBy.Concat(query.Filters.Select(f => f.On)))
        {
            if (g.Dimension == CostDimension.Tag && string.IsNullOrWhiteSpace(g.TagKey))
            {
                throw new CostQueryException(CostQueryErrorKind.InvalidArgument, "Grouping or filtering by TAG needs a tag key (e.g. tagKey: \"Department\").");
            }
        }

        if (query.GroupBy.Distinct().Count() != query.GroupBy.Count)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, "A dimension appears twice in the grouping; list each once.");
        }

        if (query.TopN is { } n && (n <= 0 || n > _options.MaxResults))
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"topN must be between 1 and {_options.MaxResults:N0}; got {n}.");
        }

        if (query.Sample is { } sample && !(sample > 0 && sample <= 1))
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"sample must be a fraction of rows in (0, 1], e.g. 0.1 for 10%; got {sample.ToString(CultureInfo.InvariantCulture)}.");
        }

        if ((query.Sample is not null || query.Percentiles) && query.Currency is not null)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument,
                "A sampled answer or percentiles cannot be converted to a reporting currency; drop the currency (amounts stay in their billing currencies) or ask for an exact answer.");
        }

        if (query.TopN is not null && query.GroupBy.Count == 0)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, "topN needs at least one group-by dimension to rank.");
        }
    }

    private async Task<T> WithTimeout<T>(Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.QueryTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await run(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new CostQueryException(CostQueryErrorKind.Timeout,
                $"The query ran longer than the {_options.QueryTimeout.TotalSeconds:0.###} s limit (api.query_timeout) and was stopped. Narrow the range or grouping, or raise the limit.", ex);
        }
    }

    private static string Fingerprint(CostQuery q, CostScope scope)
    {
        // JSON keeps every part unambiguous (a value containing a comma, null versus empty string).
        var text = System.Text.Json.JsonSerializer.Serialize(new object?[]
        {
            q.From.ToString("O", CultureInfo.InvariantCulture), q.To.ToString("O", CultureInfo.InvariantCulture), q.Grain.ToString(), q.RankBy.ToString(), q.TopN,
            q.GroupBy.Select(g => new[] { g.Dimension.ToString(), g.TagKey }).ToArray(),
            q.Filters.Select(f => new object?[] { f.On.Dimension.ToString(), f.On.TagKey, f.Values }).ToArray(),
            scope.ToString(), q.Currency?.Trim().ToUpperInvariant(),
        }.Concat(q.Sample is null && !q.Percentiles ? [] : new object?[] { q.Sample, q.Percentiles }));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8);
    }

    private static string EncodeCursor(long offset, string fingerprint) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{offset.ToString(CultureInfo.InvariantCulture)}:{fingerprint}"));

    private static long DecodeCursor(string? cursor, string fingerprint)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return 0;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && text[(colon + 1)..] == fingerprint && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Reported below.
        }

        throw new CostQueryException(CostQueryErrorKind.InvalidArgument,
            "The cursor does not belong to this query (it came from a different question or was altered). Start again without a cursor.");
    }
}
