using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Dwcp.Streaming.Events;

/// <summary>Field decoders of the NDJSON parser.</summary>
public sealed partial class NdjsonEventParser
{
    private bool ReadString(ref Utf8JsonReader reader, int lineNumber, string field, out string value, out EventError? error)
    {
        reader.Read();
        error = null;
        value = "";
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            error = new(lineNumber, field, $"{field} must be a string, got {reader.TokenType}.");
            return false;
        }

        value = InternValue(ref reader);
        return true;
    }

    private string InternValue(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return Interner.InternUtf8(reader.ValueSpan);
        }

        return Interner.Intern(reader.GetString()!);
    }

    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader, int lineNumber, out EventError? error)
    {
        error = null;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var millis) && millis >= 0 && millis <= 253_402_300_799_999)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds(millis);
            }

            error = new(lineNumber, "timestamp", "numeric timestamp must be whole epoch milliseconds between 0 and 253402300799999.");
            return null;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence && Iso8601.TryParseUtc(reader.ValueSpan, out var utc))
        {
            return utc;
        }

        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value))
        {
            var raw = reader.ValueSpan;
            var t = raw.IndexOf((byte)'T');
            var hasOffset = t >= 0 && raw[t..].IndexOfAny("Zz+-"u8) >= 0;
            return hasOffset ? value : new DateTimeOffset(DateTime.SpecifyKind(value.DateTime, DateTimeKind.Utc)); // no offset: UTC
        }

        var got = reader.TokenType == JsonTokenType.String ? "'" + reader.GetString() + "'" : reader.TokenType.ToString();
        error = new(lineNumber, "timestamp", $"timestamp {got} is not an ISO-8601 time or epoch milliseconds (e.g. 2026-11-28T08:00:00Z or 1795852800000).");
        return null;
    }

    private bool ReadMetrics(ref Utf8JsonReader reader, int lineNumber, out ImmutableArray<MetricValue> metrics, out EventError? error)
    {
        metrics = [];
        error = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new(lineNumber, "metrics", "metrics must be an object of name: number.");
            return false;
        }

        var inline = default(MetricScratch);
        Span<MetricValue> scratch = inline;
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = InternValue(ref reader);
            reader.Read();
            double value;
            if (reader.TokenType == JsonTokenType.Number)
            {
                var parsed = (!reader.HasValueSequence && FastDouble.TryParse(reader.ValueSpan, out value)) || reader.TryGetDouble(out value);
                if (!parsed || !double.IsFinite(value))
                {
                    error = new(lineNumber, "metrics." + name, $"metric '{name}' is out of the range of a double; send a finite number.");
                    return false;
                }
            }
            else
            {
                var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                var nonFinite = text is not null && (text.Contains("nan", StringComparison.OrdinalIgnoreCase) || text.Contains("inf", StringComparison.OrdinalIgnoreCase));
                error = new(lineNumber, "metrics." + name, nonFinite
                    ? $"metric '{name}' is '{text}'; NaN and Infinity are not accepted, send a finite number."
                    : $"metric '{name}' must be a number, got {(text is null ? reader.TokenType.ToString() : "string '" + text + "'")}.");
                return false;
            }

            if (count == scratch.Length)
            {
                var bigger = new MetricValue[count * 2];
                scratch.CopyTo(bigger);
                scratch = bigger;
            }

            scratch[count++] = new MetricValue(name, value);
        }

        // One right-sized array per event, owned by the ImmutableArray (no second copy).
        metrics = count == 0 ? [] : ImmutableCollectionsMarshal.AsImmutableArray(scratch[..count].ToArray());
        return true;
    }

    private bool ReadTags(ref Utf8JsonReader reader, int lineNumber, out ImmutableArray<Tag> tags, out EventError? error)
    {
        tags = [];
        error = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new(lineNumber, "tags", "tags must be an object of name: string.");
            return false;
        }

        var inline = default(TagScratch);
        Span<Tag> scratch = inline;
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = InternValue(ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                error = new(lineNumber, "tags." + key, $"tag '{key}' must be a string, got {reader.TokenType}.");
                return false;
            }

            if (count == scratch.Length)
            {
                var bigger = new Tag[count * 2];
                scratch.CopyTo(bigger);
                scratch = bigger;
            }

            scratch[count++] = new Tag(key, InternValue(ref reader));
        }

        tags = count == 0 ? [] : ImmutableCollectionsMarshal.AsImmutableArray(scratch[..count].ToArray());
        return true;
    }
}

/// <summary>Room for the metrics of a typical event on the stack; more spill to a growing heap array.</summary>
[InlineArray(16)]
internal struct MetricScratch
{
    private MetricValue _element;
}

/// <summary>Room for the tags of a typical event on the stack; more spill to a growing heap array.</summary>
[InlineArray(8)]
internal struct TagScratch
{
    private Tag _element;
}
