namespace Dwcp.Storage;

/// <summary>
/// Where the real-time engine's closed windows land as rollup rows: one row per window × series × metric (table
/// <c>stream_rollups</c>, <see cref="WindowRollup"/>) and one per window × series × custom aggregation (table
/// <c>stream_custom_rollups</c>, <see cref="CustomRollup"/>). Kept apart from <see cref="ICostStore"/> so a cost backend without streaming needs nothing new.
/// </summary>
/// <remarks>Writes are idempotent: a row with the key of a stored row (<see cref="WindowRollup.Key"/>,
/// <see cref="CustomRollup.Key"/>) replaces it, so a window delivered again after a crash is never counted twice.</remarks>
public interface IRollupStore : IAsyncDisposable
{
    /// <summary>Writes rows, replacing stored rows with the same key. All rows of one call become visible together.</summary>
    /// <param name="rollups">Rows; when two share a key, the later one wins.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Completion.</returns>
    Task AppendAsync(IReadOnlyList<WindowRollup> rollups, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes metric rows and custom-aggregation rows (table <c>stream_custom_rollups</c>) in one append: each replaces the
    /// stored row with its key, and all rows of both kinds become visible together. Nothing is written if a row is refused.
    /// </summary>
    /// <param name="rollups">Metric rows; when two share a key, the later one wins.</param>
    /// <param name="customRollups">Custom-aggregation rows; when two share a key, the later one wins.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Completion.</returns>
    Task AppendAsync(IReadOnlyList<WindowRollup> rollups, IReadOnlyList<CustomRollup> customRollups, CancellationToken cancellationToken = default);

    /// <summary>Rows that pass the filter, ordered by window start, window size, slide, series and metric.</summary>
    /// <param name="query">Filter and limit.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>At most <see cref="RollupSelection.Limit"/> rows.</returns>
    Task<IReadOnlyList<WindowRollup>> QueryAsync(RollupQuery query, CancellationToken cancellationToken = default);

    /// <summary>Custom-aggregation rows that pass the filter, ordered by window start, window size, slide, series and name.</summary>
    /// <param name="query">Filter and limit.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>At most <see cref="RollupSelection.Limit"/> rows.</returns>
    Task<IReadOnlyList<CustomRollup>> QueryCustomAsync(CustomRollupQuery query, CancellationToken cancellationToken = default);
}

/// <summary>
/// The final aggregates of one metric in one closed event-time window of one series. Dimensions the engine does not
/// group on are empty strings. Quantiles are DDSketch estimates (relative error ≤ the engine's α).
/// </summary>
/// <param name="WindowStart">Window start (inclusive, UTC).</param>
/// <param name="WindowEnd">Window end (exclusive, UTC).</param>
/// <param name="WindowSize">Window length.</param>
/// <param name="Slide">Distance between window starts (equal to <paramref name="WindowSize"/> for tumbling windows).</param>
/// <param name="EventType">Event type.</param>
/// <param name="ResourceId">Resource id, when grouped.</param>
/// <param name="Provider">Provider, when grouped.</param>
/// <param name="Region">Region, when grouped.</param>
/// <param name="Service">Service, when grouped.</param>
/// <param name="Account">Account, when grouped.</param>
/// <param name="Tags">Grouped tags as <c>key=value</c> pairs joined by <c>;</c>.</param>
/// <param name="Metric">Metric name.</param>
/// <param name="EventCount">Events in the window × series (with or without this metric).</param>
/// <param name="Count">Events carrying this metric.</param>
/// <param name="Sum">Sum of the metric.</param>
/// <param name="Min">Minimum.</param>
/// <param name="Max">Maximum.</param>
/// <param name="Average">Sum / Count.</param>
/// <param name="Last">Value of the latest event by event time.</param>
/// <param name="LastTimestamp">Event time of <paramref name="Last"/>.</param>
/// <param name="P50">Median estimate.</param>
/// <param name="P95">95th percentile estimate.</param>
/// <param name="P99">99th percentile estimate.</param>
public sealed record WindowRollup(
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, TimeSpan WindowSize, TimeSpan Slide,
    string EventType, string ResourceId, string Provider, string Region, string Service, string Account, string Tags,
    string Metric, long EventCount, long Count, double Sum, double Min, double Max, double Average, double Last,
    DateTimeOffset LastTimestamp, double P50, double P95, double P99) : IKeyedRollup<RollupKey>
{
    /// <summary>The rows of a batch with one row per <see cref="Key"/>: a later row replaces an earlier one, as in the store.</summary>
    public static IReadOnlyCollection<WindowRollup> LastPerKey(IReadOnlyList<WindowRollup> rollups) =>
        RollupBatch.LastPerKey<WindowRollup, RollupKey>(rollups);

    /// <summary>The identity of the row: rewriting a row with the same key replaces it.</summary>
    public RollupKey Key => new(WindowStart, WindowSize, Slide, EventType, ResourceId, Provider, Region, Service, Account, Tags, Metric);
}

/// <summary>
/// The identity of a rollup row: window, series and the metric (<see cref="WindowRollup"/>) or aggregation name
/// (<see cref="CustomRollup"/>). A value type with field-wise equality, so hashing and comparing keys allocates nothing.
/// Window starts compare as instants (<see cref="DateTimeOffset.Equals(DateTimeOffset)"/>).
/// </summary>
/// <param name="Start">Window start.</param>
/// <param name="Size">Window length.</param>
/// <param name="Slide">Distance between window starts.</param>
/// <param name="EventType">Event type.</param>
/// <param name="ResourceId">Resource id.</param>
/// <param name="Provider">Provider.</param>
/// <param name="Region">Region.</param>
/// <param name="Service">Service.</param>
/// <param name="Account">Account.</param>
/// <param name="Tags">Grouped tags.</param>
/// <param name="Name">Metric name, or custom aggregation name.</param>
public readonly record struct RollupKey(
    DateTimeOffset Start, TimeSpan Size, TimeSpan Slide, string EventType, string ResourceId, string Provider, string Region, string Service,
    string Account, string Tags, string Name) : IRollupKey
{
    /// <summary>Equal keys give equal fingerprints: the window start as an instant (UTC ticks), the other fields as they compare.</summary>
    ulong IRollupKey.Fingerprint()
    {
        var h = KeyHash64.Add(KeyHash64.Seed, Start.UtcTicks);
        h = KeyHash64.Add(KeyHash64.Add(h, Size.Ticks), Slide.Ticks);
        h = KeyHash64.Add(KeyHash64.Add(KeyHash64.Add(KeyHash64.Add(h, EventType), ResourceId), Provider), Region);
        h = KeyHash64.Add(KeyHash64.Add(KeyHash64.Add(KeyHash64.Add(h, Service), Account), Tags), Name);
        return h;
    }
}
