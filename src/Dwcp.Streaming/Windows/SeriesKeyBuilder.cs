using System.Runtime.CompilerServices;
using Dwcp.Streaming.Events;
using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Windows;

/// <summary>Builds the <see cref="SeriesKey"/> of an event from <see cref="StreamingConfig.GroupBy"/> (no allocation once names are pooled).</summary>
internal sealed class SeriesKeyBuilder
{
    private readonly bool _resource, _provider, _region, _service, _account;
    private readonly string[] _tagKeys;
    private readonly string[] _tagDimensions;
    private const int CacheBits = 14;
    private readonly NameInterner _interner;
    private readonly KeyCacheEntry?[] _cache = new KeyCacheEntry?[1 << CacheBits];
    private readonly Dictionary<SeriesKey, SeriesRef> _canonical = [];

    /// <summary>Most canonical series kept; beyond, the table restarts (old references stay valid, equal by value).</summary>
    public const int MaxCanonical = 200_000;

    public SeriesKeyBuilder(IReadOnlyList<string> groupBy, NameInterner interner)
    {
        _interner = interner;
        _resource = groupBy.Contains("resource_id");
        _provider = groupBy.Contains("provider");
        _region = groupBy.Contains("region");
        _service = groupBy.Contains("service");
        _account = groupBy.Contains("account");
        _tagKeys = [.. groupBy.Where(g => g.StartsWith("tag:", StringComparison.Ordinal)).Select(g => g[4..])];
        _tagDimensions = [.. _tagKeys.Select(k => "tag:" + k)];
    }

    private SeriesRef Canonical(SeriesKey key)
    {
        if (_canonical.TryGetValue(key, out var series))
        {
            return series;
        }

        if (_canonical.Count >= MaxCanonical)
        {
            _canonical.Clear();
        }

        series = new SeriesRef(new HashedKey(key, HashOf(key)));
        _canonical.Add(key, series);
        return series;
    }

    public static bool IsKnownDimension(string dimension) =>
        dimension is "resource_id" or "provider" or "region" or "service" or "account"
        || (dimension.StartsWith("tag:", StringComparison.Ordinal) && dimension.Length > 4);

    public static ulong HashOf(in SeriesKey key)
    {
        var h = Hash64.OfString(key.EventType);
        h = Hash64.Combine(h, Hash64.OfString(key.ResourceId));
        h = Hash64.Combine(h, Hash64.OfString(key.Provider));
        h = Hash64.Combine(h, Hash64.OfString(key.Region));
        h = Hash64.Combine(h, Hash64.OfString(key.Service));
        h = Hash64.Combine(h, Hash64.OfString(key.Account));
        return Hash64.Combine(h, Hash64.OfString(key.Tags));
    }

    /// <summary>
    /// The canonical series of an event. Events usually share their dimension strings (the parser interns them; code
    /// reuses its own), so series are cached by the references of the grouped dimensions in a direct-mapped table: a hit
    /// costs a few reference comparisons instead of interning and hashing seven strings; a miss finds the canonical
    /// <see cref="SeriesRef"/> by value (allocated once per distinct series, at most <see cref="MaxCanonical"/> kept).
    /// Not thread-safe (the accept gate serialises callers).
    /// </summary>
    public SeriesRef Resolve(StreamEvent e)
    {
        if (_tagKeys.Length > 0)
        {
            return Canonical(Build(e));
        }

        var resource = _resource ? e.ResourceId : "";
        var provider = _provider ? e.Provider : "";
        var region = _region ? e.Region : "";
        var service = _service ? e.Service : "";
        var account = _account ? e.Account : "";
        var h = (uint)RuntimeHelpers.GetHashCode(e.EventType);
        h = (h * 0x9E3779B1u) ^ (uint)RuntimeHelpers.GetHashCode(resource);
        h = (h * 0x9E3779B1u) ^ (uint)RuntimeHelpers.GetHashCode(provider);
        h = (h * 0x9E3779B1u) ^ (uint)RuntimeHelpers.GetHashCode(region);
        h = (h * 0x9E3779B1u) ^ (uint)RuntimeHelpers.GetHashCode(service);
        h = (h * 0x9E3779B1u) ^ (uint)RuntimeHelpers.GetHashCode(account);
        h *= 0x9E3779B1u;
        ref var entry = ref _cache[(int)(h >> (32 - CacheBits))];
        if (entry is not null && ReferenceEquals(entry.EventType, e.EventType) && ReferenceEquals(entry.ResourceId, resource)
            && ReferenceEquals(entry.Provider, provider) && ReferenceEquals(entry.Region, region) && ReferenceEquals(entry.Service, service)
            && ReferenceEquals(entry.Account, account))
        {
            return entry.Series!;
        }

        entry ??= new KeyCacheEntry();
        entry.EventType = e.EventType;
        entry.ResourceId = resource;
        entry.Provider = provider;
        entry.Region = region;
        entry.Service = service;
        entry.Account = account;
        entry.Series = Canonical(Build(e));
        return entry.Series;
    }

    public SeriesKey Build(StreamEvent e) => new(
        _interner.Intern(e.EventType),
        _resource ? _interner.Intern(e.ResourceId) : "",
        _provider ? _interner.Intern(e.Provider) : "",
        _region ? _interner.Intern(e.Region) : "",
        _service ? _interner.Intern(e.Service) : "",
        _account ? _interner.Intern(e.Account) : "",
        _tagKeys.Length == 0 ? "" : BuildTags(e));

    private string BuildTags(StreamEvent e)
    {
        Span<char> buffer = stackalloc char[512];
        var length = 0;
        for (var i = 0; i < _tagKeys.Length; i++)
        {
            var key = _tagKeys[i];
            var value = e.GetDimension(_tagDimensions[i]);
            var needed = key.Length + value.Length + 2;
            if (length + needed > buffer.Length)
            {
                return _interner.Intern(string.Join(';', _tagKeys.Select(k => k + "=" + e.GetDimension("tag:" + k))));
            }

            if (length > 0)
            {
                buffer[length++] = ';';
            }

            key.CopyTo(buffer[length..]);
            length += key.Length;
            buffer[length++] = '=';
            value.CopyTo(buffer[length..]);
            length += value.Length;
        }

        return _interner.Intern(buffer[..length]);
    }
}

/// <summary>A cached series key and the dimension references it was built from.</summary>
internal sealed class KeyCacheEntry
{
    public string? EventType, ResourceId, Provider, Region, Service, Account;
    public SeriesRef? Series;
}

/// <summary>A series key with its hash, shared by reference by every queued event of the series.</summary>
internal sealed class SeriesRef(HashedKey key)
{
    public readonly HashedKey Key = key;
}
