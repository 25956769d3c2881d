using System.Globalization;

namespace Dwcp.Storage;

/// <summary>
/// The filter shared by both rollup kinds (<see cref="RollupQuery"/>, <see cref="CustomRollupQuery"/>): every non-null
/// field must match, and each store applies all of them in its own query (never by reading rows and dropping some).
/// Text compares exactly (byte for byte).
/// </summary>
public abstract record RollupSelection
{
    /// <summary>Only windows starting at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only windows starting before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only windows of this length.</summary>
    public TimeSpan? WindowSize { get; init; }

    /// <summary>Only this event type.</summary>
    public string? EventType { get; init; }

    /// <summary>Only this resource id.</summary>
    public string? ResourceId { get; init; }

    /// <summary>Only this provider.</summary>
    public string? Provider { get; init; }

    /// <summary>Only this region.</summary>
    public string? Region { get; init; }

    /// <summary>Only this service.</summary>
    public string? Service { get; init; }

    /// <summary>Only this account.</summary>
    public string? Account { get; init; }

    /// <summary>Only rows whose account is one of these (a caller's scope); empty matches nothing. Null: any account.</summary>
    public IReadOnlyCollection<string>? Accounts { get; init; }

    /// <summary>
    /// Only rows whose grouped tags (<c>key=value</c> pairs joined by <c>;</c>) hold, for every filter, the pair
    /// <c>Key=v</c> for one of its values. Null or empty: no tag condition.
    /// </summary>
    public IReadOnlyList<RollupTagFilter>? Tags { get; init; }

    /// <summary>Most rows returned (default 10,000).</summary>
    public int Limit { get; init; } = 10_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming what is wrong: a limit below 1, a tag filter without a key or values list.</summary>
    /// <exception cref="ArgumentException">The selection cannot be run.</exception>
    public void Validate()
    {
        if (Limit < 1)
        {
            throw new ArgumentException($"{GetType().Name}.Limit is {Limit.ToString(CultureInfo.InvariantCulture)}: it must be at least 1.", "query");
        }

        foreach (var tag in Tags ?? [])
        {
            if (tag is null || string.IsNullOrEmpty(tag.Key) || tag.Key.Contains(';', StringComparison.Ordinal) || tag.Key.Contains('=', StringComparison.Ordinal)
                || tag.Values is null || tag.Values.Any(v => v is null || v.Contains(';', StringComparison.Ordinal)))
            {
                // ';' separates the grouped pairs, so a key or value holding it could match across two pairs.
                throw new ArgumentException(
                    $"{GetType().Name}.Tags holds {(tag is null ? "null" : $"a filter with key '{tag.Key}'")}: each filter needs a key without ';' or '=' and a list of values without ';'.", "query");
            }
        }

        if (Accounts is not null && Accounts.Any(a => a is null))
        {
            throw new ArgumentException($"{GetType().Name}.Accounts holds null; list account ids only.", "query");
        }
    }

    /// <summary>The <c>;key=value;</c> needles a row's <c>;tags;</c> must contain: per filter, one of its values.</summary>
    /// <returns>Per tag filter, its alternatives.</returns>
    public IReadOnlyList<IReadOnlyList<string>> TagNeedles() =>
        [.. (Tags ?? []).Select(t => (IReadOnlyList<string>)[.. t.Values.Select(v => ";" + t.Key + "=" + v + ";")])];
}

/// <summary>A tag condition of a <see cref="RollupSelection"/>: the row's grouped tags hold <c>Key=v</c> for one of <paramref name="Values"/>.</summary>
/// <param name="Key">Tag key, exactly as grouped.</param>
/// <param name="Values">Allowed values; empty matches nothing.</param>
public sealed record RollupTagFilter(string Key, IReadOnlyList<string> Values)
{
    /// <summary>Parses <c>KEY=VALUE</c> (as GraphQL's and the REST API's <c>tags</c> arguments write it).</summary>
    /// <param name="text">The pair.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="FormatException">No <c>=</c>, an empty key, or a <c>;</c> (the separator of grouped pairs).</exception>
    public static RollupTagFilter Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || text.Contains(';', StringComparison.Ordinal))
        {
            throw new FormatException($"Tag filter '{text}' is not KEY=VALUE; write e.g. team=payments (one pair per filter, no ';').");
        }

        return new RollupTagFilter(text[..eq], [text[(eq + 1)..]]);
    }
}

/// <summary>Filter of <see cref="IRollupStore.QueryAsync"/>; null fields match everything.</summary>
public sealed record RollupQuery : RollupSelection
{
    /// <summary>Only this metric.</summary>
    public string? Metric { get; init; }
}

/// <summary>Filter of <see cref="IRollupStore.QueryCustomAsync"/>; null fields match everything.</summary>
public sealed record CustomRollupQuery : RollupSelection
{
    /// <summary>Only this custom aggregation (by name).</summary>
    public string? Name { get; init; }
}
