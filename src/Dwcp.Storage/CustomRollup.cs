namespace Dwcp.Storage;

/// <summary>
/// The final value of one custom aggregation (weighted average, rate, distinct count, ratio, percentile, threshold
/// count) in one closed event-time window of one series (table <c>stream_custom_rollups</c>). Dimensions the engine does
/// not group on are empty strings, as in <see cref="WindowRollup"/>.
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
/// <param name="Name">Aggregation name.</param>
/// <param name="Type">Aggregation type in the JSON form: <c>weighted_average</c>, <c>rate</c>, <c>distinct_count</c>, <c>ratio</c>, <c>percentile</c>, <c>threshold_count</c>.</param>
/// <param name="Value">Value; NaN when undefined (a zero denominator or no weight).</param>
/// <param name="Partial">True when the aggregation was created after the series' window had already received events, so
/// the value covers only the events accepted since.</param>
/// <param name="EventCount">Events of the window × series (all of them, whether or not the aggregation used them).</param>
public sealed record CustomRollup(
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, TimeSpan WindowSize, TimeSpan Slide,
    string EventType, string ResourceId, string Provider, string Region, string Service, string Account, string Tags,
    string Name, string Type, double Value, bool Partial, long EventCount) : IKeyedRollup<RollupKey>
{
    /// <summary>The rows of a batch with one row per <see cref="Key"/>: a later row replaces an earlier one, as in the store.</summary>
    /// <param name="rollups">Rows.</param>
    /// <returns>The surviving rows.</returns>
    public static IReadOnlyCollection<CustomRollup> LastPerKey(IReadOnlyList<CustomRollup> rollups) =>
        RollupBatch.LastPerKey<CustomRollup, RollupKey>(rollups);

    /// <summary>The identity of the row: rewriting a row with the same key replaces it.</summary>
    public RollupKey Key => new(WindowStart, WindowSize, Slide, EventType, ResourceId, Provider, Region, Service, Account, Tags, Name);
}
