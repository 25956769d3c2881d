using System.Collections.Frozen;
using Dwcp.Core.Focus;

namespace Dwcp.Ingest;

/// <summary>The FOCUS allowed values of the columns whose spelling the reader normalises (docs/focus-columns.md).</summary>
internal static class AllowedValues
{
    private static readonly FrozenDictionary<string, FrozenDictionary<string, string>> ByColumn =
        new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["ChargeCategory"] = ["Usage", "Purchase", "Tax", "Credit", "Adjustment"],
            ["ChargeClass"] = ["Correction"],
            ["ChargeFrequency"] = ["One-Time", "Recurring", "Usage-Based"],
            ["PricingCategory"] = ["Standard", "Dynamic", "Committed", "Other"],
            ["CommitmentDiscountCategory"] = ["Spend", "Usage"],
            ["CommitmentDiscountStatus"] = ["Used", "Unused"],
            // Not listed in docs/focus-columns.md; values from the FOCUS 1.1/1.2 column text.
            ["CapacityReservationStatus"] = ["Used", "Unused"],
            ["ServiceCategory"] =
            [
                "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases", "Developer Tools",
                "Multicloud", "Identity", "Integration", "Internet of Things", "Management and Governance", "Media",
                "Migration", "Mobile", "Networking", "Security", "Storage", "Web", "Other",
            ],
        }.ToFrozenDictionary(
            kv => kv.Key,
            kv => kv.Value.ToFrozenDictionary(v => v, v => v, StringComparer.OrdinalIgnoreCase),
            StringComparer.Ordinal);

    /// <summary>The allowed values of <paramref name="column"/> (case-insensitive key to canonical), or null.</summary>
    public static FrozenDictionary<string, string>? For(FocusColumn column) =>
        ByColumn.TryGetValue(column.Name, out var values) ? values : null;
}

/// <summary>How a cached string compares with the column's allowed values.</summary>
internal enum ValueStatus : byte
{
    Ok,
    CaseFixed,
    Unknown,
}

/// <summary>
/// A small per-column cache from cell text to string, so repeated values (provider, region, currency…) are allocated
/// once; for allowed-values columns it also remembers the canonical spelling. Cleared when full, so it follows the
/// locality of the data; a column whose values rarely repeat (ids, descriptions) stops being cached, since there the
/// cache only costs time.
/// </summary>
internal sealed class StringCache
{
    private const int Capacity = 2048;
    private const int MaxCachedLength = 1024;

    private readonly Dictionary<string, (string Value, ValueStatus Status)> _map = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Value, ValueStatus Status)>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>>? _allowed;
    private bool _disabled;
    private int _lookups;
    private int _hits;

    public StringCache(FrozenDictionary<string, string>? allowed)
    {
        _lookup = _map.GetAlternateLookup<ReadOnlySpan<char>>();
        _allowed = allowed?.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Get(ReadOnlySpan<char> text, out ValueStatus status)
    {
        if (_disabled)
        {
            return Classify(text, out status);
        }

        _lookups++;
        if (_lookup.TryGetValue(text, out var hit))
        {
            _hits++;
            status = hit.Status;
            return hit.Value;
        }

        var value = Classify(text, out status);
        if (text.Length <= MaxCachedLength)
        {
            if (_map.Count >= Capacity)
            {
                // A full generation in which fewer than a quarter of the lookups hit: the values do not repeat enough.
                if (_allowed is null && _hits < _lookups / 4)
                {
                    _disabled = true;
                    _map.Clear();
                    return value;
                }

                _map.Clear();
                _lookups = _hits = 0;
            }

            // The key must equal the text looked up; only a case-fixed value differs from its text.
            var key = status == ValueStatus.CaseFixed ? text.ToString() : value;
            _map[key] = (value, status);
        }

        return value;
    }

    private string Classify(ReadOnlySpan<char> text, out ValueStatus status)
    {
        if (_allowed is { } allowed)
        {
            if (allowed.TryGetValue(text, out var canonical))
            {
                status = text.SequenceEqual(canonical) ? ValueStatus.Ok : ValueStatus.CaseFixed;
                return canonical;
            }

            status = ValueStatus.Unknown;
            return text.ToString();
        }

        status = ValueStatus.Ok;
        return text.ToString();
    }
}
