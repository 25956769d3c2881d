using System.Text;
using System.Text.Json;

namespace Dwcp.Ingest;

/// <summary>What normalising one Tags cell involved.</summary>
[Flags]
internal enum TagNotes : byte
{
    None = 0,
    Trimmed = 1,
    Duplicate = 2,
    NotObject = 4,
}

/// <summary>
/// Parses a Tags JSON object into key/value pairs with keys and values trimmed (non-string values as their JSON
/// text), first value winning for duplicate keys. Results are cached by cell text because tag sets repeat.
/// </summary>
internal sealed class TagsNormalizer
{
    private const int Capacity = 4096;

    private readonly Dictionary<string, (KeyValuePair<string, string>[] Pairs, TagNotes Notes)> _cache = new(StringComparer.Ordinal);
    private readonly StringCache _strings = new(null);
    private readonly HashSet<string> _seenKeys = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _pairs = [];
    private byte[] _utf8 = new byte[1024];

    public KeyValuePair<string, string>[] Normalize(string json, out TagNotes notes)
    {
        if (_cache.TryGetValue(json, out var hit))
        {
            notes = hit.Notes;
            return hit.Pairs;
        }

        var pairs = Parse(json, out notes);
        if (_cache.Count >= Capacity)
        {
            _cache.Clear();
        }

        _cache[json] = (pairs, notes);
        return pairs;
    }

    private KeyValuePair<string, string>[] Parse(string json, out TagNotes notes)
    {
        notes = TagNotes.None;
        var max = Encoding.UTF8.GetMaxByteCount(json.Length);
        if (_utf8.Length < max)
        {
            _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
        }

        var length = Encoding.UTF8.GetBytes(json, _utf8);
        var bytes = _utf8.AsSpan(0, length);
        _pairs.Clear();
        _seenKeys.Clear();
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                notes = TagNotes.NotObject;
                return [];
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var rawKey = reader.GetString()!;
                reader.Read();
                string rawValue;
                if (reader.TokenType == JsonTokenType.String)
                {
                    rawValue = reader.GetString()!;
                }
                else
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var end = (int)reader.BytesConsumed;
                    rawValue = Encoding.UTF8.GetString(bytes[start..end]);
                }

                var key = rawKey.Trim();
                var value = rawValue.Trim();
                if (key.Length != rawKey.Length || value.Length != rawValue.Length)
                {
                    notes |= TagNotes.Trimmed;
                }

                if (!_seenKeys.Add(key))
                {
                    notes |= TagNotes.Duplicate;
                    continue;
                }

                _pairs.Add(new(_strings.Get(key, out _), _strings.Get(value, out _)));
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                notes = TagNotes.NotObject;
                return [];
            }
        }
        catch (JsonException)
        {
            notes = TagNotes.NotObject;
            return [];
        }

        return _pairs.Count == 0 ? [] : [.. _pairs];
    }
}
