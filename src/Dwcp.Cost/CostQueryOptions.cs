namespace Dwcp.Cost;

/// <summary>Limits of the cost query layer (<c>analytics.api</c> in dwcp.yaml).</summary>
public sealed record CostQueryOptions
{
    /// <summary>Longest a query may run (<c>api.query_timeout</c>, default 30 s).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most lines one answer (one page) may hold (<c>api.max_results</c>, default 10,000).</summary>
    public int MaxResults { get; init; } = 10_000;

    /// <summary>Relative fitted change over a range below which the trend is STABLE (default 5%).</summary>
    public double TrendThreshold { get; init; } = 0.05;

    /// <summary>Longest date range one query may span, in days (default 3,660: ten years).</summary>
    public int MaxRangeDays { get; init; } = 3660;

    /// <summary>Tag-key normalisation (<c>analytics.tags</c>): tag keys in groupings, filters and scopes are canonicalised with it.</summary>
    public Dwcp.Core.Costs.TagPolicy TagPolicy { get; init; } = Dwcp.Core.Costs.TagPolicy.None;

    /// <summary>Most daily lines a query in a reporting currency may convert (default 2,000,000).</summary>
    public int MaxConversionLines { get; init; } = 2_000_000;
}
