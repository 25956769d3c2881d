using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;

namespace Dwcp.Streaming.Events;

/// <summary>
/// Decodes NDJSON (one JSON object per line, UTF-8) into <see cref="StreamEvent"/>s with <see cref="Utf8JsonReader"/>.
/// Every non-blank line yields a <see cref="ParsedLine"/> (event or error with its 1-based line number); a bad line never
/// stops the batch. Names and dimension values are interned. Thread-safe.
/// </summary>
public sealed partial class NdjsonEventParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 8, CommentHandling = JsonCommentHandling.Disallow };
    private readonly ParserOptions _options;
    private readonly TimeProvider _clock;
    private readonly string _defaultEventType;

    /// <summary>Creates a parser.</summary>
    /// <param name="options">Limits and the event-type policy.</param>
    /// <param name="clock">Clock for the future-timestamp check.</param>
    /// <param name="interner">Name pool (a new one when null).</param>
    public NdjsonEventParser(ParserOptions options, TimeProvider clock, NameInterner? interner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        _options = options;
        _clock = clock;
        Interner = interner ?? new NameInterner();
        _defaultEventType = Interner.Intern(options.DefaultEventType);
    }

    /// <summary>The name pool in use.</summary>
    public NameInterner Interner { get; }

    /// <summary>Decodes a whole NDJSON payload held in memory. Lines longer than the limit are rejected unread.</summary>
    /// <param name="ndjson">UTF-8 bytes; lines end with LF or CRLF.</param>
    /// <returns>One result per non-blank line, in order.</returns>
    public IReadOnlyList<ParsedLine> Parse(ReadOnlySpan<byte> ndjson)
    {
        var results = new List<ParsedLine>(ndjson.Count((byte)'\n') + 1);
        var lineNumber = 0;
        while (!ndjson.IsEmpty)
        {
            lineNumber++;
            var end = ndjson.IndexOf((byte)'\n');
            var line = end < 0 ? ndjson : ndjson[..end];
            ndjson = end < 0 ? default : ndjson[(end + 1)..];
            AddLine(results, line, lineNumber, line.Length);
        }

        return results;
    }

    /// <summary>
    /// Decodes NDJSON from a stream, holding at most one line of <see cref="ParserOptions.MaxLineBytes"/> in memory: an
    /// over-long line is skipped to its end without being buffered and reported as an error.
    /// </summary>
    /// <param name="stream">UTF-8 NDJSON.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One result per non-blank line, in order.</returns>
    public async Task<IReadOnlyList<ParsedLine>> ParseAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var results = new List<ParsedLine>();
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(_options.MaxLineBytes + 2, 4096));
        try
        {
            var filled = 0;
            var lineNumber = 0;
            long skipping = -1; // length seen so far of an over-long line being skipped, or -1
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                var eof = read == 0;
                filled += read;
                var start = 0;
                while (true)
                {
                    var newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        break;
                    }

                    lineNumber++;
                    if (skipping >= 0)
                    {
                        AddLine(results, default, lineNumber, skipping + newline);
                        skipping = -1;
                    }
                    else
                    {
                        AddLine(results, buffer.AsSpan(start, newline), lineNumber, newline);
                    }

                    start += newline + 1;
                }

                var rest = filled - start;
                if (eof)
                {
                    if (skipping >= 0 || rest > 0)
                    {
                        lineNumber++;
                        AddLine(results, skipping >= 0 ? default : buffer.AsSpan(start, rest), lineNumber, skipping >= 0 ? skipping + rest : rest);
                    }

                    return results;
                }

                if (skipping >= 0)
                {
                    skipping += rest; // discard: the line is already known to be too long
                    filled = 0;
                }
                else if (rest > _options.MaxLineBytes + 1)
                {
                    skipping = rest;
                    filled = 0;
                }
                else
                {
                    buffer.AsSpan(start, rest).CopyTo(buffer);
                    filled = rest;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes and validates one line (without its newline).</summary>
    /// <param name="line">UTF-8 JSON object.</param>
    /// <param name="lineNumber">Line number reported in errors.</param>
    /// <returns>The event or the error.</returns>
    public ParsedLine ParseLine(ReadOnlySpan<byte> line, int lineNumber)
    {
        var result = Decode(line, lineNumber, out var error);
        if (result is null)
        {
            return new(lineNumber, null, error);
        }

        var invalid = EventValidator.Validate(result, _options, _clock.GetUtcNow(), lineNumber);
        return invalid is null ? new(lineNumber, result, null) : new(lineNumber, null, invalid);
    }

    private void AddLine(List<ParsedLine> results, ReadOnlySpan<byte> line, int lineNumber, long length)
    {
        if (length > 0 && length <= _options.MaxLineBytes + 1 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
            length--;
        }

        if (length > _options.MaxLineBytes)
        {
            results.Add(new(lineNumber, null, new EventError(lineNumber, "line",
                $"line is {length} bytes, over the limit of {_options.MaxLineBytes}; send smaller events or raise analytics.streaming.max_line_bytes (ParserOptions.MaxLineBytes in code).")));
            return;
        }

        if (line.Trim(" \t"u8).IsEmpty)
        {
            return; // blank lines are allowed and ignored
        }

        results.Add(ParseLine(line, lineNumber));
    }

    private StreamEvent? Decode(ReadOnlySpan<byte> line, int lineNumber, out EventError? error)
    {
        error = null;
        var reader = new Utf8JsonReader(line, ReaderOptions);
        string? eventId = null;
        DateTimeOffset? timestamp = null;
        string eventType = _defaultEventType;
        string resource = "", provider = "", region = "", service = "", account = "";
        var metrics = ImmutableArray<MetricValue>.Empty;
        var tags = ImmutableArray<Tag>.Empty;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = new(lineNumber, "line", "line is not a JSON object; send one {...} object per line.");
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                switch (Identify(ref reader))
                {
                    case WireField.EventId:
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            error = new(lineNumber, "event_id", $"event_id must be a string, got {reader.TokenType}.");
                            return null;
                        }

                        eventId = reader.GetString();
                        break;
                    case WireField.Timestamp:
                        reader.Read();
                        timestamp = ReadTimestamp(ref reader, lineNumber, out error);
                        if (error is not null)
                        {
                            return null;
                        }

                        break;
                    case WireField.EventType:
                        if (!ReadString(ref reader, lineNumber, "event_type", out eventType, out error))
                        {
                            return null;
                        }

                        break;
                    case WireField.Metrics:
                        reader.Read();
                        if (!ReadMetrics(ref reader, lineNumber, out metrics, out error))
                        {
                            return null;
                        }

                        break;
                    case WireField.Tags:
                        reader.Read();
                        if (!ReadTags(ref reader, lineNumber, out tags, out error))
                        {
                            return null;
                        }

                        break;
                    case WireField.ResourceId:
                        if (!ReadString(ref reader, lineNumber, "resource_id", out resource, out error))
                        {
                            return null;
                        }

                        break;
                    case WireField.Provider:
                        if (!ReadString(ref reader, lineNumber, "provider", out provider, out error))
                        {
                            return null;
                        }

                        break;
                    case WireField.Region:
                        if (!ReadString(ref reader, lineNumber, "region", out region, out error))
                        {
                            return null;
                        }

                        break;
                    case WireField.Service:
                        if (!ReadString(ref reader, lineNumber, "service", out service, out error))
                        {
                            return null;
                        }

                        break;
                    case WireField.Account:
                        if (!ReadString(ref reader, lineNumber, "account", out account, out error))
                        {
                            return null;
                        }

                        break;
                    default:
                        reader.Read();
                        reader.Skip(); // unknown fields are ignored
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = new(lineNumber, "line", "unexpected content after the JSON object; send exactly one object per line.");
                return null;
            }
        }
        catch (JsonException ex)
        {
            error = new(lineNumber, "line", $"malformed JSON at byte {ex.BytePositionInLine ?? reader.BytesConsumed}: {FirstSentence(ex.Message)} Fix the line's JSON syntax.");
            return null;
        }

        if (string.IsNullOrEmpty(eventId))
        {
            error = new(lineNumber, "event_id", "event_id is missing or empty; give every event a unique id (e.g. a UUID).");
            return null;
        }

        if (timestamp is null)
        {
            error = new(lineNumber, "timestamp", "timestamp is missing; send an ISO-8601 time (e.g. 2026-11-28T08:00:00Z) or epoch milliseconds.");
            return null;
        }

        return new StreamEvent
        {
            EventId = eventId,
            Timestamp = timestamp.Value,
            EventType = eventType,
            Metrics = metrics,
            ResourceId = resource,
            Provider = provider,
            Region = region,
            Service = service,
            Account = account,
            Tags = tags,
        };
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
