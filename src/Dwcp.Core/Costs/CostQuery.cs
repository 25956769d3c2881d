namespace Dwcp.Core.Costs;

/// <summary>
/// A question about cost, as every interface asks it. Dates are UTC calendar days, inclusive at both ends: a charge
/// belongs to the UTC day of its ChargePeriodStart.
/// </summary>
public sealed record CostQuery
{
    /// <summary>First day of the range (inclusive).</summary>
    public required DateOnly From { get; init; }

    /// <summary>Last day of the range (inclusive).</summary>
    public required DateOnly To { get; init; }

    /// <summary>Dimensions to group by (currency is always added implicitly).</summary>
    public IReadOnlyList<CostGrouping> GroupBy { get; init; } = [];

    /// <summary>Filters, all of which must hold.</summary>
    public IReadOnlyList<CostFilter> Filters { get; init; } = [];

    /// <summary>Time resolution.</summary>
    public CostGrain Grain { get; init; } = CostGrain.Total;

    /// <summary>The measure used to rank groups for <see cref="TopN"/> and to order totals.</summary>
    public CostMeasure RankBy { get; init; } = CostMeasure.Billed;

    /// <summary>Keep the N largest groups (by <see cref="RankBy"/> over the whole range) and fold the rest into "Other".</summary>
    public int? TopN { get; init; }

    /// <summary>Maximum rows per page; null uses the configured maximum.</summary>
    public int? PageSize { get; init; }

    /// <summary>Opaque cursor from a previous page's <see cref="CostQueryResult.NextCursor"/>.</summary>
    public string? Cursor { get; init; }

    /// <summary>
    /// Reporting currency (ISO 4217). When set, every amount is converted at the rate of its charge day and summed in
    /// this one currency, and the answer lists the rates it used; when null, amounts stay in their billing currencies
    /// and are never summed across them.
    /// </summary>
    public string? Currency { get; init; }

    /// <summary>
    /// Approximate answer: the fraction of rows to sample, in (0, 1]. Null (the default) is an exact answer, never sampled.
    /// A sampled answer says so in <see cref="CostQueryResult.Approximate"/> and gives an interval per amount.
    /// </summary>
    public double? Sample { get; init; }

    /// <summary>Also compute the 95th and 99th percentiles of per-row cost (of <see cref="RankBy"/>) per line and total.</summary>
    public bool Percentiles { get; init; }
}

/// <summary>One line of a cost answer: a time bucket (unless the grain is Total), the group's key values and its measures.</summary>
/// <param name="PeriodStart">Start day of the bucket (for <see cref="CostGrain.Hour"/> the hour's day); null for <see cref="CostGrain.Total"/>.</param>
/// <param name="Keys">Values of the grouping dimensions, in the order asked; null where the row has no value.</param>
/// <param name="Currency">BillingCurrency of every charge summed into this line.</param>
/// <param name="BilledCost">Sum of BilledCost.</param>
/// <param name="EffectiveCost">Sum of EffectiveCost.</param>
/// <param name="ListCost">Sum of ListCost.</param>
/// <param name="ConsumedQuantity">Sum of ConsumedQuantity when every charge in the line has the same ConsumedUnit; otherwise null.</param>
/// <param name="ConsumedUnit">That single unit, or null.</param>
/// <param name="RowCount">Number of FOCUS rows summed.</param>
/// <param name="IsOther">True for the "Other" bucket of a top-N answer.</param>
public sealed record CostLine(
    DateOnly? PeriodStart,
    IReadOnlyList<string?> Keys,
    string Currency,
    decimal BilledCost,
    decimal EffectiveCost,
    decimal ListCost,
    decimal? ConsumedQuantity,
    string? ConsumedUnit,
    long RowCount,
    bool IsOther = false)
{
    /// <summary>List − Effective: what discounts and commitments saved against list price.</summary>
    public decimal Savings => ListCost - EffectiveCost;

    /// <summary>
    /// Start of the bucket as a UTC instant: the hour for <see cref="CostGrain.Hour"/>, midnight of <see cref="PeriodStart"/>
    /// for the other grains; null for <see cref="CostGrain.Total"/>.
    /// </summary>
    public DateTime? PeriodStartTime
    {
        get => _periodStartTime ?? PeriodStart?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        init => _periodStartTime = value;
    }

    private readonly DateTime? _periodStartTime;

    /// <summary>For a sampled answer: the amounts above are estimates (sample sums / ratio) with these intervals; null when exact.</summary>
    public CostEstimate? Estimate { get; init; }

    /// <summary>Percentiles of per-row cost when asked for (<see cref="CostQuery.Percentiles"/>); otherwise null.</summary>
    public CostPercentiles? Percentiles { get; init; }

    /// <summary>The value of a measure.</summary>
    public decimal Get(CostMeasure measure) => measure switch
    {
        CostMeasure.Effective => EffectiveCost,
        CostMeasure.List => ListCost,
        _ => BilledCost,
    };
}

/// <summary>Totals for one currency over the whole answer.</summary>
public sealed record CurrencyTotal(string Currency, decimal BilledCost, decimal EffectiveCost, decimal ListCost, long RowCount)
{
    /// <summary>List − Effective.</summary>
    public decimal Savings => ListCost - EffectiveCost;

    /// <summary>For a sampled answer: the amounts above are estimates with these intervals; null when exact.</summary>
    public CostEstimate? Estimate { get; init; }

    /// <summary>Percentiles of per-row cost when asked for; otherwise null.</summary>
    public CostPercentiles? Percentiles { get; init; }

    /// <summary>The value of a measure.</summary>
    public decimal Get(CostMeasure measure) => measure switch
    {
        CostMeasure.Effective => EffectiveCost,
        CostMeasure.List => ListCost,
        _ => BilledCost,
    };
}

/// <summary>The answer to a <see cref="CostQuery"/>.</summary>
public sealed record CostQueryResult
{
    /// <summary>The question as the caller asked it (the scope is in <see cref="Scope"/> and was applied on top).</summary>
    public required CostQuery Query { get; init; }

    /// <summary>Names of the key columns, matching <see cref="CostLine.Keys"/>.</summary>
    public required IReadOnlyList<string> KeyNames { get; init; }

    /// <summary>The lines of this page, ordered by period, then currency, then cost descending.</summary>
    public required IReadOnlyList<CostLine> Lines { get; init; }

    /// <summary>Totals per currency over the whole answer (all pages). Never summed across currencies.</summary>
    public required IReadOnlyList<CurrencyTotal> Totals { get; init; }

    /// <summary>Cursor for the next page, or null when this is the last page.</summary>
    public string? NextCursor { get; init; }

    /// <summary>Total number of lines across all pages.</summary>
    public long TotalLines { get; init; }

    /// <summary>The scope the answer was restricted to.</summary>
    public required CostScope Scope { get; init; }

    /// <summary>The reporting currency every amount was converted to, or null when amounts are in their billing currencies.</summary>
    public string? ReportingCurrency { get; init; }

    /// <summary>Every rate a converted answer used, one per billing currency and charge day, ordered by currency then day.</summary>
    public IReadOnlyList<RateUsed> RatesUsed { get; init; } = [];

    /// <summary>Which stored data answered the lines: the daily rollup when it can, the raw rows otherwise.</summary>
    public CostSource Source { get; init; } = CostSource.Raw;

    /// <summary>Set when the answer is an estimate from a sample (<see cref="CostQuery.Sample"/>); null for an exact answer.</summary>
    public CostApproximation? Approximate { get; init; }
}
