namespace Dwcp.Core.Costs;

/// <summary>
/// What a caller may see: which billing accounts, and which values of which tag keys. A null or empty
/// restriction means "no restriction on that". Rows must pass every restriction to be visible; a row without a
/// restricted tag is not visible. The cost query layer enforces this on every query; callers never choose their
/// own scope from a request.
/// </summary>
public sealed record CostScope
{
    /// <summary>The scope that sees everything (the local user's default).</summary>
    public static CostScope Everything { get; } = new();

    /// <summary>Billing accounts the caller may see; null means all.</summary>
    public IReadOnlySet<string>? BillingAccounts { get; init; }

    /// <summary>Tag key → the values of it the caller may see.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> TagValues { get; init; } =
        new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);

    /// <summary>True when nothing is restricted.</summary>
    public bool IsUnrestricted => BillingAccounts is null && TagValues.Count == 0;

    /// <summary>
    /// Parses the scope syntax used by <c>--scope</c> and <c>dwcp.yaml</c>:
    /// <c>account=A|B;tag:Department=Eng|Ops</c>. Empty or <c>*</c> means everything.
    /// </summary>
    public static CostScope Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "*")
        {
            return Everything;
        }

        HashSet<string>? accounts = null;
        var tags = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == part.Length - 1)
            {
                throw new FormatException(
                    $"Scope part '{part}' is not of the form account=A|B or tag:Key=V1|V2.");
            }

            var key = part[..eq].Trim();
            var values = part[(eq + 1)..].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToHashSet(StringComparer.Ordinal);
            if (values.Count == 0)
            {
                throw new FormatException($"Scope part '{part}' lists no values; name at least one (e.g. {key}=A|B).");
            }

            if (key.Equals("account", StringComparison.OrdinalIgnoreCase))
            {
                if (accounts is not null)
                {
                    throw new FormatException("Scope names 'account' twice; list all accounts in one part: account=A|B.");
                }

                accounts = values;
            }
            else if (key.StartsWith("tag:", StringComparison.OrdinalIgnoreCase) && key.Length > 4)
            {
                var tagKey = key[4..].Trim();
                if (!tags.TryAdd(tagKey, values))
                {
                    throw new FormatException($"Scope names tag '{tagKey}' twice; list all its values in one part: tag:{tagKey}=V1|V2.");
                }
            }
            else
            {
                throw new FormatException($"Scope key '{key}' is unknown; use 'account' or 'tag:<Key>'.");
            }
        }

        return new CostScope { BillingAccounts = accounts, TagValues = tags };
    }

    /// <summary>The same scope in <see cref="Parse"/> syntax.</summary>
    public override string ToString()
    {
        if (IsUnrestricted)
        {
            return "*";
        }

        var parts = new List<string>();
        if (BillingAccounts is not null)
        {
            parts.Add("account=" + string.Join('|', BillingAccounts.Order(StringComparer.Ordinal)));
        }

        parts.AddRange(TagValues.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"tag:{kv.Key}=" + string.Join('|', kv.Value.Order(StringComparer.Ordinal))));
        return string.Join(';', parts);
    }
}
