namespace Dwcp.Core.Costs;

/// <summary>A tag that rows of one billing account or sub-account inherit when they lack the key.</summary>
/// <param name="AccountId">A BillingAccountId or SubAccountId (an Azure subscription, an AWS member account, a GCP project…).</param>
/// <param name="Key">The tag key (canonicalised by the policy).</param>
/// <param name="Value">The value inherited.</param>
public sealed record InheritedTag(string AccountId, string Key, string Value);

/// <summary>
/// How tag keys are normalised (<c>analytics.tags</c> in dwcp.yaml). The raw <c>Tags</c> column always keeps what the
/// provider delivered; the policy shapes the normalised keys that grouping, filtering, scopes and coverage use:
/// <list type="number">
/// <item>An alias (matched ignoring case) maps a key to its canonical name: <c>dept</c>, <c>Dept</c>, <c>department</c> → <c>Department</c>.</item>
/// <item>With <see cref="CaseInsensitive"/>, other keys that differ only in case are one key: its spelling is that of a
/// required key or alias target when one matches ignoring case, otherwise the lower-case form.</item>
/// <item>When one row carries several keys that become the same canonical key, the first value wins.</item>
/// <item>A row lacking a key inherits it from its sub-account's inherited tags, else its billing account's.</item>
/// </list>
/// Queries canonicalise the keys they ask for with the same rule, so <c>tag:dept</c> and <c>tag:Department</c> agree.
/// </summary>
public sealed class TagPolicy
{
    private readonly Dictionary<string, string> _aliases;
    private readonly Dictionary<string, string> _spellings;
    private readonly Dictionary<string, KeyValuePair<string, string>[]> _inherited;

    /// <summary>Creates a policy.</summary>
    /// <param name="aliases">Alias → canonical key.</param>
    /// <param name="caseInsensitive">Whether keys differing only in case are one key.</param>
    /// <param name="required">Keys every cost should carry (the coverage report's default).</param>
    /// <param name="inherited">Account-level tags.</param>
    public TagPolicy(IReadOnlyDictionary<string, string>? aliases = null, bool caseInsensitive = false, IReadOnlyList<string>? required = null, IReadOnlyList<InheritedTag>? inherited = null)
    {
        CaseInsensitive = caseInsensitive;
        _spellings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var k in (required ?? []).Concat((aliases ?? new Dictionary<string, string>()).Values))
        {
            _spellings.TryAdd(k, k);
        }

        _aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, target) in aliases ?? new Dictionary<string, string>())
        {
            _aliases[alias] = target;
        }

        Required = (required ?? []).Select(Canonical).Distinct(StringComparer.Ordinal).ToArray();
        Inherited = inherited ?? [];
        _inherited = Inherited.GroupBy(t => t.AccountId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(t => new KeyValuePair<string, string>(Canonical(t.Key), t.Value)).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Keys as delivered: no aliases, case-sensitive, nothing inherited.</summary>
    public static TagPolicy None { get; } = new();

    /// <summary>Whether keys differing only in case are one key.</summary>
    public bool CaseInsensitive { get; }

    /// <summary>Canonical names of the required keys.</summary>
    public IReadOnlyList<string> Required { get; }

    /// <summary>The account-level tags.</summary>
    public IReadOnlyList<InheritedTag> Inherited { get; }

    /// <summary>Whether the policy changes anything at all.</summary>
    public bool IsIdentity => _aliases.Count == 0 && !CaseInsensitive && _inherited.Count == 0;

    /// <summary>The canonical form of a key.</summary>
    public string Canonical(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_aliases.TryGetValue(key, out var target))
        {
            return target;
        }

        if (!CaseInsensitive)
        {
            return key;
        }

        return _spellings.TryGetValue(key, out var spelling) ? spelling : key.ToLowerInvariant();
    }

    /// <summary>A grouping with its tag key canonicalised (other dimensions unchanged).</summary>
    public CostGrouping Canonical(CostGrouping grouping) =>
        grouping.Dimension == CostDimension.Tag && grouping.TagKey is { } k ? CostGrouping.ForTag(Canonical(k)) : grouping;

    /// <summary>The normalised tags of a row: canonical keys, first value winning, inherited tags added where missing.</summary>
    public KeyValuePair<string, string>[] Apply(IReadOnlyList<KeyValuePair<string, string>> tags, string? billingAccountId, string? subAccountId)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (IsIdentity)
        {
            return tags as KeyValuePair<string, string>[] ?? [.. tags];
        }

        var result = new List<KeyValuePair<string, string>>(tags.Count + 2);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in tags)
        {
            var key = Canonical(k);
            if (seen.Add(key))
            {
                result.Add(new(key, v));
            }
        }

        foreach (var id in new[] { subAccountId, billingAccountId })
        {
            if (id is not null && _inherited.TryGetValue(id, out var inherited))
            {
                foreach (var kv in inherited)
                {
                    if (seen.Add(kv.Key))
                    {
                        result.Add(kv);
                    }
                }
            }
        }

        return [.. result];
    }
}

/// <summary>
/// How much of the cost carries a tag key: per provider, billing account and currency, and overall (Provider and
/// BillingAccountId null) per currency.
/// </summary>
/// <param name="Key">The canonical tag key.</param>
/// <param name="Provider">ProviderName, or null on the overall line.</param>
/// <param name="BillingAccountId">The billing account, or null on provider and overall lines.</param>
/// <param name="Currency">Billing currency of the amounts.</param>
/// <param name="TaggedCost">Cost of rows carrying the key (with any value).</param>
/// <param name="TotalCost">Cost of all rows.</param>
/// <param name="TaggedRows">Rows carrying the key.</param>
/// <param name="TotalRows">All rows.</param>
public sealed record TagCoverage(string Key, string? Provider, string? BillingAccountId, string Currency, decimal TaggedCost, decimal TotalCost, long TaggedRows, long TotalRows)
{
    /// <summary>TaggedCost / TotalCost, or null when the total is zero.</summary>
    public double? Share => TotalCost == 0 ? null : (double)(TaggedCost / TotalCost);

    /// <summary>Cost without the key.</summary>
    public decimal UntaggedCost => TotalCost - TaggedCost;
}
