using Dwcp.Streaming.Events;
using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Windows;

/// <summary>Builds the <see cref="SeriesKey"/> of an event from <see cref="StreamingConfig.GroupBy"/> (no allocation once names are pooled).</summary>
internal sealed class SeriesKeyBuilder
{
    private readonly bool _resource, _provider, _region, _service, _account;
    private readonly string[] _tagKeys;
    private readonly string[] _tagDimensions;
    private readonly NameInterner _interner;

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
