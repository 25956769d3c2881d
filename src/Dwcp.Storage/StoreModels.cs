using Dwcp.Core.Costs;

namespace Dwcp.Storage;

/// <summary>What a load is for.</summary>
/// <param name="Description">Free text shown in load history, e.g. the ingest command line.</param>
public sealed record LoadRequest(string Description);

/// <summary>A file already imported and still current.</summary>
public sealed record ImportedFile(long LoadId, string Path, string Sha256, long RowCount, DateTime CommittedAtUtc);

/// <summary>The result of a committed load.</summary>
/// <param name="LoadId">The load's id.</param>
/// <param name="RowCount">Rows written.</param>
/// <param name="Partitions">The (billing account, billing period) pairs it now owns.</param>
/// <param name="ReplacedPartitions">How many of those pairs had an older version that this load replaced.</param>
public sealed record LoadSummary(long LoadId, long RowCount, IReadOnlyList<PartitionVersion> Partitions, int ReplacedPartitions);

/// <summary>The current version of one (billing account, billing period) pair.</summary>
public sealed record PartitionVersion(string BillingAccountId, DateTime BillingPeriodStart, long LoadId, long RowCount, decimal BilledCost);

/// <summary>Facts about the store for <c>/health</c> and <c>dwcp status</c>.</summary>
public sealed record StoreInfo(string Backend, string Location, int SchemaVersion, long VisibleRows, long Loads);

/// <summary>The first and last charge day and the row count.</summary>
public sealed record DataRange(DateOnly? From, DateOnly? To, long RowCount);

/// <summary>
/// An aggregation as the store runs it: already validated and scoped by the cost query layer. Lines are ordered by
/// period, then currency, then <see cref="RankBy"/> descending, then keys.
/// </summary>
public sealed record CostAggregation
{
    /// <summary>First day (inclusive).</summary>
    public required DateOnly From { get; init; }

    /// <summary>Last day (inclusive).</summary>
    public required DateOnly To { get; init; }

    /// <summary>Group-by dimensions; currency is always added.</summary>
    public IReadOnlyList<CostGrouping> GroupBy { get; init; } = [];

    /// <summary>Filters, all must hold (the caller's scope is among them).</summary>
    public IReadOnlyList<CostFilter> Filters { get; init; } = [];

    /// <summary>Time bucket.</summary>
    public CostGrain Grain { get; init; } = CostGrain.Total;

    /// <summary>Order measure.</summary>
    public CostMeasure RankBy { get; init; } = CostMeasure.Billed;

    /// <summary>
    /// When set, only these key tuples keep their identity; every other group is folded into one "Other" line per
    /// period and currency (keys null, <see cref="CostLine.IsOther"/> true).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string?>>? KeepKeys { get; init; }

    /// <summary>Maximum lines to return.</summary>
    public int? Limit { get; init; }

    /// <summary>Lines to skip.</summary>
    public long Offset { get; init; }

    /// <summary>
    /// Fraction of rows to sample, in (0, 1]; null reads every row. Sampled lines hold estimates (sample sums / ratio) with a
    /// <see cref="CostLine.Estimate"/>; the same ratio always selects the same rows. A sample always reads the raw rows.
    /// </summary>
    public double? Sample { get; init; }

    /// <summary>Also compute <see cref="CostLine.Percentiles"/> of per-row <see cref="RankBy"/> cost (raw rows only).</summary>
    public bool Percentiles { get; init; }

    /// <summary>Which data to read: null lets the store choose (a rollup when <see cref="RollupCanAnswer"/>).</summary>
    public CostSource? Source { get; init; }

    /// <summary>
    /// True when a rollup holds what this aggregation needs (no sample, no percentiles): the daily rollup when no
    /// resource or tag dimension is grouped or filtered, or the tag rollup (see <see cref="TagRollupKey"/>).
    /// </summary>
    public bool RollupCanAnswer => Sample is null && !Percentiles && Grain != CostGrain.Hour && (RollupHas(Dimensions) || TagRollupKeyOf(Dimensions) is not null);

    /// <summary>
    /// True when an hourly summary rollup (summary dimensions per UTC hour) would answer this aggregation: hourly grain,
    /// summary dimensions only, no sample and no percentiles. Only stores with <see cref="ICostStore.HasHourlyRollup"/> keep one.
    /// </summary>
    public bool HourlyRollupCanAnswer => Sample is null && !Percentiles && Grain == CostGrain.Hour && SummaryHas(Dimensions);

    /// <summary>
    /// True when the dashboard's summary rollup (<c>cost_summary_daily</c>: the daily rollup without sub-account) holds
    /// what this aggregation needs.
    /// </summary>
    public bool SummaryCanAnswer => RollupCanAnswer && SummaryHas(Dimensions);

    /// <summary>
    /// The tag key when the tag rollup (<c>cost_tag_daily</c>) answers this aggregation: no sample or percentiles, every
    /// tag grouping and tag filter on this one key, and otherwise only summary dimensions (no resource, no sub-account).
    /// Null when it cannot, or when no tag is involved.
    /// </summary>
    public string? TagRollupKey => Sample is null && !Percentiles && Grain != CostGrain.Hour ? TagRollupKeyOf(Dimensions) : null;

    /// <summary>Every dimension grouped or filtered by.</summary>
    public IEnumerable<CostGrouping> Dimensions => GroupBy.Concat(Filters.Select(f => f.On));

    /// <summary>True when the summary rollup has every one of these dimensions (the daily rollup's but sub-account).</summary>
    public static bool SummaryHas(IEnumerable<CostGrouping> dimensions) =>
        dimensions.All(d => d.Dimension is not (CostDimension.Resource or CostDimension.Tag or CostDimension.SubAccount));

    /// <summary>True when the daily rollup has every one of these dimensions (all but resource and tags).</summary>
    public static bool RollupHas(IEnumerable<CostGrouping> dimensions) =>
        dimensions.All(d => d.Dimension is not (CostDimension.Resource or CostDimension.Tag));

    /// <summary>
    /// True when rows without the tag can be in the answer: no tag filter excludes them (a filter whose values hold no
    /// null keeps tagged rows only). When false, a tag-rollup query reads the tagged groups alone.
    /// </summary>
    public static bool UntaggedPossible(IEnumerable<CostFilter> filters) =>
        !filters.Any(f => f.On.Dimension == CostDimension.Tag && !f.Values.Contains(null));

    /// <summary>
    /// The one tag key of these dimensions when the tag rollup has them all (tags of that key plus summary dimensions);
    /// null when there is no tag, tags of two keys, or a resource or sub-account dimension.
    /// </summary>
    public static string? TagRollupKeyOf(IEnumerable<CostGrouping> dimensions)
    {
        string? key = null;
        foreach (var d in dimensions)
        {
            switch (d.Dimension)
            {
                case CostDimension.Resource or CostDimension.SubAccount:
                    return null;
                case CostDimension.Tag when d.TagKey is null || (key is not null && !string.Equals(key, d.TagKey, StringComparison.Ordinal)):
                    return null;
                case CostDimension.Tag:
                    key = d.TagKey;
                    break;
            }
        }

        return key;
    }
}
