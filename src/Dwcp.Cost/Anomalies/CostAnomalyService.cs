using System.Collections.Concurrent;
using Dwcp.Anomalies.Costs;
using Dwcp.Core;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Storage;

namespace Dwcp.Cost.Anomalies;

/// <summary>
/// The product guide's <c>detect_anomalies(threshold)</c> over the store: daily cost series per provider/service and
/// per provider/service/billing account (each in one currency; amounts in different currencies are never added), read
/// through <see cref="CostQueryService"/> so the caller's scope applies exactly as for any other answer; batch
/// detection at the target false-positive rate; expected cost from a clean baseline; a root cause that reconciles to
/// the cent; rules from <see cref="CauseRuleCatalogue"/>; and stored feedback applied.
/// </summary>
public sealed class CostAnomalyService
{
    /// <summary>Days reported when no start is given (ending at the last day with data).</summary>
    public const int DefaultReportDays = 30;

    /// <summary>Values listed per dimension in <see cref="StoreCostAnomaly.Breakdown"/> before the rest fold into one line.</summary>
    public const int BreakdownValues = 10;

    /// <summary>A series needs this many days before it is scored.</summary>
    public const int MinSeriesDays = 14;

    private readonly ICostStore _store;
    private readonly CostQueryService _costs;
    private readonly AnomalyFeedbackFile? _feedback;
    private readonly IAnomalyFeed? _feed;
    private readonly SeverityPolicy _severity;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, byte> _published = new(StringComparer.Ordinal);

    /// <summary>Creates the service.</summary>
    /// <param name="store">The store whose rows explain an anomaly (read with the caller's scope).</param>
    /// <param name="costs">The query layer the daily series are read through.</param>
    /// <param name="feedback">Where verdicts are kept; null = no feedback.</param>
    /// <param name="feed">Where newly seen anomalies are published; null = nowhere.</param>
    /// <param name="severity">Severity rules; null = <see cref="SeverityPolicy.Default"/>.</param>
    /// <param name="time">Clock for verdict times.</param>
    public CostAnomalyService(ICostStore store, CostQueryService costs, AnomalyFeedbackFile? feedback = null, IAnomalyFeed? feed = null, SeverityPolicy? severity = null, TimeProvider? time = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _costs = costs ?? throw new ArgumentNullException(nameof(costs));
        _feedback = feedback;
        _feed = feed;
        _severity = severity ?? SeverityPolicy.Default;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Finds the cost anomalies between <see cref="AnomalyRequest.From"/> and <see cref="AnomalyRequest.To"/>, largest dollar impact first.</summary>
    public async Task<AnomalyReport> DetectAnomaliesAsync(AnomalyRequest request, CostScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scope);
        if (!(request.Threshold > 0 && request.Threshold < 1))
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"threshold is a target false-positive rate between 0 and 1 (e.g. 0.05 for 5%); got {request.Threshold}.");
        }

        if (request.HistoryDays is < 0 or > 3000)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"historyDays must be between 0 and 3000; got {request.HistoryDays}.");
        }

        ArgumentNullException.ThrowIfNull(request.Materiality);
        try
        {
            request.Materiality.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"materiality.{ex.ParamName}: {ex.Message.Split(" (Parameter", 2)[0]}");
        }

        var range = await _costs.GetDataRangeAsync(scope, cancellationToken).ConfigureAwait(false);
        var to = request.To ?? range.To ?? DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var from = request.From ?? to.AddDays(-(DefaultReportDays - 1));
        if (to < from)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"The end date {to:yyyy-MM-dd} is before the start date {from:yyyy-MM-dd}. Dates are inclusive; swap them or fix the end date.");
        }

        if (range.From is not { } dataFrom || range.To is not { } dataTo || dataTo < from || dataFrom > to)
        {
            return new AnomalyReport(from, to, [], 0);
        }

        // Every series is read from the first day with data, and each day is judged only from the days before it
        // (SeriesModel): the verdict and expected cost of a day do not depend on the query's start or end.
        var seriesList = await DailyCostSeries.LoadAsync(_costs, dataFrom, to, request.Services, request.Measure, scope, cancellationToken).ConfigureAwait(false);
        var providers = request.Providers is { Count: > 0 } p ? p.ToHashSet() : null;
        seriesList = seriesList.Where(s => providers is null || providers.Contains(CloudProviders.FromProviderName(s.Key.Provider))).ToList();

        var candidates = new List<(AnomalySeriesKey Key, SeriesModel Model, int Index)>();
        var serviceModels = new Dictionary<AnomalySeriesKey, SeriesModel>();
        var scanned = 0;
        foreach (var series in seriesList)
        {
            if (series.Parts.Usage.Length < MinSeriesDays)
            {
                continue;
            }

            scanned++;
            var model = SeriesModel.Fit(series.First, series.Parts, request.Threshold, request.Materiality);
            if (series.Key.Account is null)
            {
                serviceModels[series.Key] = model;
            }

            for (var i = Math.Max(0, model.IndexOf(from)); i <= model.IndexOf(to) && i < model.Actual.Length; i++)
            {
                if (model.Flagged[i] && model.Actual[i] != model.Expected[i])
                {
                    candidates.Add((series.Key, model, i));
                }
            }
        }

        var anomalies = await ExplainAsync(candidates, serviceModels, request.Measure, scope, cancellationToken).ConfigureAwait(false);
        var result = anomalies
            .Where(a => a.Anomaly.Severity >= request.MinSeverity && (request.IncludeSuppressed || !a.Anomaly.Suppressed))
            .OrderByDescending(a => a.Impact).ThenBy(a => a.Id, StringComparer.Ordinal)
            .ToList();
        if (request.Publish && _feed is not null)
        {
            _feed.Publish(result.Where(a => !a.Anomaly.Suppressed && _published.TryAdd(a.Id, 0)).ToList());
        }
        return new AnomalyReport(from, to, result, scanned);
    }

    /// <summary>Records a verdict on an anomaly (by its id) in the data folder; similar later deviations are then suppressed or ranked lower.</summary>
    /// <exception cref="CostQueryException">The id is malformed, the series has no cost on that day visible to the caller, or no feedback file is configured.</exception>
    public async Task<AnomalyVerdict> MarkAsync(string id, FeedbackKind kind, string? note, CostScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var (key, day) = AnomalyId.Parse(id);
        if (_feedback is null)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, "Feedback is not available here: the service has no data folder to keep it in.");
        }

        // Read and judged exactly as detection does: from the first day with data, up to the day.
        var range = await _costs.GetDataRangeAsync(scope, cancellationToken).ConfigureAwait(false);
        var history = range.From is not { } dataFrom || dataFrom > day ? null : (await DailyCostSeries.LoadAsync(_costs, dataFrom, day, [key.Service], CostMeasure.Effective, scope, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(s => s.Key == key);
        var index = history?.First is { } first ? day.DayNumber - first.DayNumber : -1;
        if (history is null || index < 0 || index >= history.Parts.Usage.Length)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument,
                $"No cost of {key.Provider} {key.Service}{(key.Account is null ? string.Empty : $" in account {key.Account}")} on {day:yyyy-MM-dd} is visible to you, so anomaly '{id}' cannot be marked. Check the id and your scope.");
        }

        var model = SeriesModel.Fit(history.First, history.Parts, 0.05);
        var expected = model.Expected[index];
        var verdict = new AnomalyVerdict(id, key.FeedbackKey, day, SeverityPolicy.DeviationPercentage(expected, model.Actual[index]), kind, string.IsNullOrWhiteSpace(note) ? null : note.Trim(), _time.GetUtcNow());
        await _feedback.AddAsync(verdict, cancellationToken).ConfigureAwait(false);
        return verdict;
    }

    private async Task<List<StoreCostAnomaly>> ExplainAsync(List<(AnomalySeriesKey Key, SeriesModel Model, int Index)> candidates, Dictionary<AnomalySeriesKey, SeriesModel> serviceModels, CostMeasure measure, CostScope scope, CancellationToken ct)
    {
        if (candidates.Count == 0)
        {
            return [];
        }

        var feedback = AnomalyFeedbackFile.ToStore(_feedback is null ? [] : await _feedback.ReadAsync(ct).ConfigureAwait(false));
        var plans = candidates.Select(c =>
        {
            var e = c.Model.ExpectedFor(c.Index);
            return (c.Key, c.Model, c.Index, Expected: e, Baseline: e.Baseline.Select(b => c.Model.First.AddDays(b)).ToArray(),
                References: e.References.Select(b => c.Model.First.AddDays(b)).ToArray());
        }).ToList();

        // Which (service series, day) pairs need their detail rows: the anomalous days and their baselines.
        var needed = new HashSet<(string Provider, string Service, string Currency, DateOnly Day)>();
        foreach (var p in plans)
        {
            needed.Add((p.Key.Provider, p.Key.Service, p.Key.Currency, p.Model.First.AddDays(p.Index)));
            foreach (var b in p.Baseline.Concat(p.References))
            {
                needed.Add((p.Key.Provider, p.Key.Service, p.Key.Currency, b));
            }
        }

        var detail = await ReadDetailAsync(needed, measure, scope, ct).ConfigureAwait(false);
        var list = new List<StoreCostAnomaly>(plans.Count);
        foreach (var p in plans)
        {
            var day = p.Model.First.AddDays(p.Index);
            IEnumerable<CostDetailRow> Rows(DateOnly d) => detail.TryGetValue((p.Key.Provider, p.Key.Service, p.Key.Currency, d), out var rows)
                ? rows.Where(r => p.Key.Account is null || r.BillingAccount == p.Key.Account).Select(r => r.Row)
                : [];

            // A baseline day's month-priced usage restated in the anomalous day's month (see MonthProration).
            IEnumerable<CostDetailRow> RestatedRows(DateOnly b, DateOnly d, AnomalySeriesKey key) => detail.TryGetValue((key.Provider, key.Service, key.Currency, b), out var rows)
                ? rows.Where(r => key.Account is null || r.BillingAccount == key.Account)
                    .Select(r => r.MonthPriced && CalendarCharges.KindOf(r.Row.ChargeCategory) == ChargeKind.Usage ? r.Row with { Cost = r.Row.Cost * MonthProration.Factor(b, d) } : r.Row)
                : [];
            var (expectedDay, score, keep) = Prorate(p.Model, p.Index, p.Expected, p.Baseline, d => detail.TryGetValue((p.Key.Provider, p.Key.Service, p.Key.Currency, d), out var rows)
                ? rows.Where(r => r.MonthPriced && (p.Key.Account is null || r.BillingAccount == p.Key.Account)).Select(r => r.Row)
                : []);
            if (!keep)
            {
                continue;
            }

            var baselineDays = expectedDay.Baseline.Select(b => p.Model.First.AddDays(b)).ToArray();
            var dayRows = Rows(day).ToList();
            var baseRows = ExpectedRows(dayRows, baselineDays.SelectMany(b => RestatedRows(b, day, p.Key)), p.References.SelectMany(Rows), expectedDay);
            var rootCause = AllocatedRootCause.Decompose(dayRows, baseRows, expectedDay.Total);
            var expected = rootCause.Expected;
            var actual = rootCause.Actual;
            var deviation = SeverityPolicy.DeviationPercentage(expected, actual);
            var rules = CauseRuleCatalogue.Match(p.Key.Service, rootCause);
            var assessment = Assess(feedback, p.Key, day, deviation, serviceModels);
            var anomaly = new CostAnomaly
            {
                Timestamp = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                Provider = p.Key.Provider,
                Service = p.Key.Service,
                Account = p.Key.Account,
                ExpectedCost = expected,
                ActualCost = actual,
                DeviationPercentage = deviation,
                Severity = _severity.Classify(expected, actual),
                RootCauses = actual >= expected ? [.. rootCause.Increases, .. rootCause.Decreases] : [.. rootCause.Decreases, .. rootCause.Increases],
                ProbableCauses = rules.Select(r => r.ProbableCause).Distinct().ToList(),
                RecommendedActions = rules.Select(r => r.RecommendedAction).Distinct().ToList(),
                Score = score * assessment.ScoreMultiplier,
                Suppressed = assessment.Suppressed,
            };
            list.Add(new StoreCostAnomaly(AnomalyId.Of(p.Key, day), p.Key.Currency, anomaly, Window(p.Model, p.Index, expected), Fold(rootCause.ByDimension)));
        }

        return list;
    }

    /// <summary>
    /// The rows the expected cost is split by, each part weighted by its own expectation: the baseline days' usage rows
    /// scaled to the usage expectation, the reference days' recurring rows scaled to the recurring expectation, and the
    /// day's own one-time rows (expected as billed). Their total is the expected total whenever every part has rows.
    /// </summary>
    private static List<CostDetailRow> ExpectedRows(List<CostDetailRow> day, IEnumerable<CostDetailRow> baseline, IEnumerable<CostDetailRow> references, ExpectedDay expected)
    {
        static IEnumerable<CostDetailRow> Scaled(List<CostDetailRow> rows, decimal target)
        {
            var total = rows.Sum(r => r.Cost);
            return total == 0 ? rows : rows.Select(r => r with { Cost = r.Cost * target / total });
        }

        var usage = baseline.Where(r => CalendarCharges.KindOf(r.ChargeCategory) == ChargeKind.Usage).ToList();
        var recurring = references.Where(r => CalendarCharges.KindOf(r.ChargeCategory) == ChargeKind.Recurring).ToList();
        var oneTime = day.Where(r => CalendarCharges.KindOf(r.ChargeCategory) == ChargeKind.OneTime);
        return [.. Scaled(usage, expected.Usage), .. Scaled(recurring, expected.Recurring), .. oneTime];
    }

    private static Dictionary<string, IReadOnlyList<CostContributor>> Fold(IReadOnlyDictionary<string, IReadOnlyList<CostContributor>> byDimension)
    {
        var result = new Dictionary<string, IReadOnlyList<CostContributor>>(StringComparer.Ordinal);
        foreach (var (dim, list) in byDimension)
        {
            if (list.Count <= BreakdownValues + 1)
            {
                result[dim] = list;
                continue;
            }

            var rest = list.Skip(BreakdownValues).ToList();
            var gross = list.Sum(c => Math.Abs(c.DollarDelta));
            var delta = rest.Sum(c => c.DollarDelta);
            var other = new CostContributor(dim, $"({rest.Count} other values)", rest.Sum(c => c.Expected), rest.Sum(c => c.Actual), delta,
                gross == 0 ? 0 : (double)(rest.Sum(c => Math.Abs(c.DollarDelta)) / gross), ContributorChange.Changed);
            result[dim] = [.. list.Take(BreakdownValues), other];
        }

        return result;
    }

    /// <summary>
    /// Feedback on an anomaly: its own series' verdicts, and for an account-level row also the verdicts on its service's
    /// series (same provider, service and currency), judged with the service-level deviation of the same day, so marking
    /// the service-level anomaly expected suppresses or lowers the account rows of the same incident too. The stronger
    /// of the two applies (suppressed if either suppresses; the smaller score multiplier).
    /// </summary>
    private static FeedbackAssessment Assess(AnomalyFeedbackStore feedback, AnomalySeriesKey key, DateOnly day, double deviation, Dictionary<AnomalySeriesKey, SeriesModel> serviceModels)
    {
        var at = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var own = feedback.Assess(key.FeedbackKey, at, deviation);
        var serviceKey = key with { Account = null };
        if (key.Account is null || !serviceModels.TryGetValue(serviceKey, out var service) || service.IndexOf(day) is var i && (i < 0 || i >= service.Actual.Length))
        {
            return own;
        }

        var parent = feedback.Assess(serviceKey.FeedbackKey, at, SeverityPolicy.DeviationPercentage(service.Expected[i], service.Actual[i]));
        return parent.Suppressed || parent.ScoreMultiplier < own.ScoreMultiplier ? parent : own;
    }

    private static AnomalySeriesPoint[] Window(SeriesModel model, int index, decimal expected)
    {
        var start = Math.Max(0, index - 60);
        var end = Math.Min(model.Actual.Length - 1, index + 14);
        var points = new AnomalySeriesPoint[end - start + 1];
        for (var i = start; i <= end; i++)
        {
            var e = i == index ? expected : model.Expected[i];
            var half = model.HalfWidthAt(i);
            points[i - start] = new AnomalySeriesPoint(model.First.AddDays(i), model.Actual[i], e, e - half, e + half, model.Flagged[i]);
        }

        return points;
    }

    /// <summary>
    /// Re-judges a flagged usage day whose baseline holds month-priced usage from months of another length, with that
    /// usage restated in the day's month (<see cref="MonthProration"/>). Other days keep the model's answer.
    /// </summary>
    private static (ExpectedDay Expected, double Score, bool Keep) Prorate(SeriesModel model, int index, ExpectedDay expected, DateOnly[] baseline, Func<DateOnly, IEnumerable<CostDetailRow>> monthPriced)
    {
        var day = model.First.AddDays(index);
        var adjust = new Dictionary<int, decimal>();
        if (model.IsCandidate(index))
        {
            foreach (var b in baseline)
            {
                var factor = MonthProration.Factor(b, day);
                var cost = monthPriced(b).Where(r => CalendarCharges.KindOf(r.ChargeCategory) == ChargeKind.Usage).Sum(r => r.Cost);
                if (factor != 1 && cost != 0)
                {
                    adjust[model.IndexOf(b)] = cost * (factor - 1);
                }
            }
        }

        if (adjust.Count == 0)
        {
            return (expected, model.Scores[index], true);
        }

        var (restated, flagged, score) = model.Restate(index, adjust);
        return (restated, score, flagged);
    }

    private sealed record DetailRow(string? BillingAccount, CostDetailRow Row, bool MonthPriced);

    /// <summary>Detail rows of the needed (service, day) pairs, read with the caller's scope, grouped per pair.</summary>
    private async Task<Dictionary<(string, string, string, DateOnly), List<DetailRow>>> ReadDetailAsync(
        HashSet<(string Provider, string Service, string Currency, DateOnly Day)> needed, CostMeasure measure, CostScope scope, CancellationToken ct)
    {
        var result = new Dictionary<(string, string, string, DateOnly), List<DetailRow>>();
        var policy = _costs.Options.TagPolicy;
        var services = needed.Select(n => n.Service).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(x => (string?)x).ToArray();
        var filters = CostQueryService.ApplyScope([new CostFilter(new CostGrouping(CostDimension.Service), services)], scope)
            .Select(f => policy.IsIdentity ? f : f with { On = policy.Canonical(f.On) })
            .ToArray();
        var from = needed.Min(n => n.Day);
        var to = needed.Max(n => n.Day);
        await foreach (var row in _store.ReadRowsAsync(from, to, filters, ct).ConfigureAwait(false))
        {
            if (row.ChargePeriodStart is not { } start)
            {
                continue;
            }

            var key = (row.ProviderName ?? "(none)", row.ServiceName ?? "(none)", row.BillingCurrency ?? "(none)", DateOnly.FromDateTime(start));
            if (!needed.Contains(key))
            {
                continue;
            }

            if (!result.TryGetValue(key, out var rows))
            {
                result[key] = rows = [];
            }

            rows.Add(new DetailRow(row.BillingAccountId, ToDetail(row, measure), MonthProration.IsMonthPriced(row.PricingUnit, row.ChargeFrequency)));
        }

        return result;
    }

    private static CostDetailRow ToDetail(FocusRow row, CostMeasure measure) => new()
    {
        Account = row.SubAccountId ?? row.BillingAccountId,
        Region = row.RegionId ?? row.RegionName,
        Sku = row.SkuId is null ? row.SkuMeter : row.SkuMeter is null ? row.SkuId : $"{row.SkuId} ({row.SkuMeter})",
        Resource = row.ResourceId,
        ChargeCategory = row.ChargeCategory,
        PricingCategory = row.PricingCategory,
        CommitmentStatus = row.CommitmentDiscountStatus,
        Currency = row.BillingCurrency,
        Cost = (measure switch
        {
            CostMeasure.Effective => row.EffectiveCost,
            CostMeasure.List => row.ListCost,
            _ => row.BilledCost,
        }) ?? 0m,
    };
}
