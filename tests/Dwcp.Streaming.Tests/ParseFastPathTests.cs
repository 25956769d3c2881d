using System.Globalization;
using System.Text;
using System.Text.Json;
using Dwcp.Streaming.Events;

namespace Dwcp.Streaming.Tests;

/// <summary>
/// The parser's fast paths (timestamps and numbers read straight from bytes, property names matched by length, metric
/// and tag scratch on the stack, the interner's UTF-8 cache) give exactly what the general routines give.
/// </summary>
public class ParseFastPathTests
{
    private static readonly FakeClock Clock = new(TestData.T0);

    [Fact]
    public void Iso8601_fast_path_equals_the_json_reader_on_random_utc_times_with_0_to_7_fraction_digits()
    {
        var random = new Random(3);
        for (var i = 0; i < 5_000; i++)
        {
            var ticks = random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
            var digits = random.Next(8);
            var format = "yyyy-MM-ddTHH:mm:ss" + (digits == 0 ? "" : "." + new string('f', digits)) + "Z";
            var text = new DateTime(ticks, DateTimeKind.Utc).ToString(format, CultureInfo.InvariantCulture);
            var utf8 = Encoding.UTF8.GetBytes(text);
            Assert.True(Iso8601.TryParseUtc(utf8, out var fast), text);
            Assert.Equal(ReaderTimestamp(text), fast);
            Assert.Equal(TimeSpan.Zero, fast.Offset);
        }
    }

    [Theory]
    [InlineData("2026-02-29T00:00:00Z")] // not a leap year
    [InlineData("2026-04-31T00:00:00Z")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-00-01T00:00:00Z")]
    [InlineData("2026-11-28T24:00:00Z")]
    [InlineData("2026-11-28T23:60:00Z")]
    [InlineData("2026-11-28T23:59:60Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("2026-11-28T07:59:00.Z")]
    [InlineData("2026-11-28T07:59:00.12345678Z")]
    [InlineData("2026-11-28T07:59:00z")]
    [InlineData("2026-11-28t07:59:00Z")]
    [InlineData("2026-11-28T07:59:00+00:00")]
    [InlineData("2026-11-28 07:59:00Z")]
    [InlineData("2026-1-28T07:59:00ZZ")]
    [InlineData("+026-11-28T07:59:00Z")]
    [InlineData("2026-11-28T07:59:0aZ")]
    public void Iso8601_fast_path_declines_every_other_shape_and_the_parser_still_agrees_with_the_json_reader(string text)
    {
        Assert.False(Iso8601.TryParseUtc(Encoding.UTF8.GetBytes(text), out _));
        var line = Parser().ParseLine(Encoding.UTF8.GetBytes($$"""{"event_id":"a","timestamp":"{{text}}"}"""), 1);
        var expected = ReaderTimestamp(text);
        if (expected is null)
        {
            Assert.Equal("timestamp", line.Error!.Field);
            Assert.StartsWith($"timestamp '{text}' is not an ISO-8601 time", line.Error.Message, StringComparison.Ordinal);
        }
        else
        {
            // Only shapes with a designator or an offset are listed here, so the reader's value is the instant.
            Assert.Equal(expected.Value.UtcDateTime, line.Event!.Timestamp.UtcDateTime);
        }
    }

    [Fact]
    public void Iso8601_fast_path_accepts_the_extremes_and_a_leap_day()
    {
        foreach (var text in new[] { "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "2024-02-29T12:34:56.5Z", "1970-01-01T00:00:00.0000001Z" })
        {
            Assert.True(Iso8601.TryParseUtc(Encoding.UTF8.GetBytes(text), out var fast), text);
            Assert.Equal(ReaderTimestamp(text), fast);
        }
    }

    [Fact]
    public void FastDouble_equals_the_json_reader_bit_for_bit_on_random_decimal_numbers()
    {
        var random = new Random(5);
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var digits = random.Next(1, 19);
            var builder = new StringBuilder();
            if (random.Next(3) == 0)
            {
                builder.Append('-');
            }

            var intDigits = random.Next(1, digits + 1);
            builder.Append(intDigits == 1 ? (char)('0' + random.Next(10)) : (char)('1' + random.Next(9)));
            for (var d = 1; d < intDigits; d++)
            {
                builder.Append((char)('0' + random.Next(10)));
            }

            if (digits > intDigits)
            {
                builder.Append('.');
                for (var d = intDigits; d < digits; d++)
                {
                    builder.Append((char)('0' + random.Next(10)));
                }
            }

            var text = builder.ToString();
            var expected = ReaderDouble(text);
            if (FastDouble.TryParse(Encoding.ASCII.GetBytes(text), out var fast))
            {
                accepted++;
                Assert.True(digits <= 15, text);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(fast));
            }
            else
            {
                Assert.True(digits > 15, text);
            }
        }

        Assert.True(accepted > 10_000, $"only {accepted} numbers took the fast path");
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-0", true)]
    [InlineData("-0.0", true)]
    [InlineData("0.1", true)]
    [InlineData("0.00000000000001", true)]
    [InlineData("0.000000000000001", false)] // 16 digits counting the leading zero
    [InlineData("999999999999999", true)]
    [InlineData("9007199254740993", false)] // 16 digits: 2^53 + 1 needs the general parser
    [InlineData("0.1000000000000001", false)]
    [InlineData("1e5", false)]
    [InlineData("1.5E-3", false)]
    [InlineData("-2.5e+300", false)]
    public void FastDouble_takes_short_plain_numbers_and_leaves_exponents_and_long_mantissas_to_the_reader(string text, bool fast)
    {
        Assert.Equal(fast, FastDouble.TryParse(Encoding.ASCII.GetBytes(text), out var value));
        if (fast)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(ReaderDouble(text)), BitConverter.DoubleToInt64Bits(value));
        }

        var line = Parser().ParseLine(Encoding.UTF8.GetBytes("""{"event_id":"a","timestamp":"2026-11-28T07:59:00Z","metrics":{"m":""" + text + "}}"), 1);
        Assert.Equal(BitConverter.DoubleToInt64Bits(ReaderDouble(text)), BitConverter.DoubleToInt64Bits(line.Event!.Metrics[0].Value));
    }

    [Fact]
    public void Parser_recognises_escaped_property_names_and_ignores_near_misses()
    {
        var text = """{"event\u005fid":"a","t\u0069mestamp":"2026-11-28T07:59:00Z","metr\u0069cs":{"c\u006fst":2},"metricz":{"x":1},"regiom":"no","region":"eu","accounts":"no","Provider":"no","provider":"aws","tagz":{},"tags":{"k":"v"}}""";
        var e = Parser().ParseLine(Encoding.UTF8.GetBytes(text), 1).Event!;
        Assert.Equal("a", e.EventId);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 7, 59, 0, TimeSpan.Zero), e.Timestamp);
        Assert.Equal([new MetricValue("cost", 2)], e.Metrics.ToArray());
        Assert.Equal(("eu", "aws", ""), (e.Region, e.Provider, e.Account));
        Assert.Equal([new Tag("k", "v")], e.Tags.ToArray());
    }

    [Fact]
    public void Parser_keeps_every_metric_and_tag_in_order_past_the_stack_scratch()
    {
        var metrics = Enumerable.Range(0, 200).Select(i => new MetricValue("m" + i, i * 0.5)).ToArray();
        var tags = Enumerable.Range(0, 40).Select(i => new Tag("t" + i, "v" + i)).ToArray();
        var json = """{"event_id":"a","timestamp":"2026-11-28T07:59:00Z","metrics":{"""
            + string.Join(',', metrics.Select(m => $"\"{m.Name}\":{m.Value.ToString(CultureInfo.InvariantCulture)}"))
            + "},\"tags\":{" + string.Join(',', tags.Select(t => $"\"{t.Key}\":\"{t.Value}\"")) + "}}";
        var e = Parser().ParseLine(Encoding.UTF8.GetBytes(json), 1).Event!;
        Assert.Equal(metrics, e.Metrics.ToArray());
        Assert.Equal(tags, e.Tags.ToArray());

        var empty = Parser().ParseLine("""{"event_id":"b","timestamp":"2026-11-28T07:59:00Z","metrics":{},"tags":{}}"""u8, 1).Event!;
        Assert.True(empty.Metrics.IsEmpty && !empty.Metrics.IsDefault);
        Assert.True(empty.Tags.IsEmpty && !empty.Tags.IsDefault);
    }

    [Fact]
    public void Parser_round_trips_random_events_written_by_a_json_writer()
    {
        var random = new Random(9);
        var events = TestData.Generate(seed: 9, count: 2_000, span: TimeSpan.FromMinutes(30), resources: 500);
        var buffer = new MemoryStream();
        foreach (var e in events)
        {
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("event_id", e.EventId);
                var format = "yyyy-MM-ddTHH:mm:ss" + (random.Next(2) == 0 ? "" : "." + new string('f', random.Next(1, 8))) + "Z";
                json.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString(format, CultureInfo.InvariantCulture));
                json.WriteString("resource_id", e.ResourceId);
                json.WriteString("provider", e.Provider);
                json.WriteString("region", e.Region);
                json.WriteString("service", e.Service);
                json.WriteString("account", e.Account);
                json.WriteStartObject("metrics");
                foreach (var m in e.Metrics)
                {
                    json.WriteNumber(m.Name, m.Value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
        }

        var lines = Parser().Parse(buffer.ToArray());
        Assert.Equal(events.Count, lines.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var (expected, actual) = (events[i], lines[i].Event!);
            Assert.Equal(expected.EventId, actual.EventId);
            Assert.Equal(expected.Timestamp.UtcTicks / TimeSpan.TicksPerSecond, actual.Timestamp.UtcTicks / TimeSpan.TicksPerSecond);
            Assert.Equal((expected.ResourceId, expected.Provider, expected.Region, expected.Service, expected.Account), (actual.ResourceId, actual.Provider, actual.Region, actual.Service, actual.Account));
            Assert.Equal(expected.Metrics.ToArray(), actual.Metrics.ToArray());
        }
    }

    [Fact]
    public void InternUtf8_returns_the_pooled_instance_and_the_decoded_text_for_ascii_non_ascii_and_invalid_bytes()
    {
        var interner = new NameInterner();
        var random = new Random(13);
        var names = Enumerable.Range(0, 60_000).Select(i => "name-" + i.ToString(CultureInfo.InvariantCulture) + new string('x', i % 40)).ToArray();
        var pooled = names.Select(interner.Intern).ToArray();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 20_000; i++)
            {
                var k = random.Next(names.Length);
                Assert.Same(pooled[k], interner.InternUtf8(Encoding.UTF8.GetBytes(names[k])));
            }
        }

        byte[][] odd = [[0xC3, 0xA9], [0xF0, 0x9F, 0x98, 0x80], [0x80], [0x61, 0xFF, 0x62], [0xE2, 0x82], [], [.. Enumerable.Repeat((byte)'a', 300)]];
        foreach (var bytes in odd)
        {
            var expected = Encoding.UTF8.GetString(bytes);
            var first = interner.InternUtf8(bytes);
            Assert.Equal(expected, first);
            Assert.Same(first, interner.InternUtf8(bytes));
            Assert.Same(interner.Intern(expected), first);
        }
    }

    [Fact]
    public void InternUtf8_is_correct_when_many_threads_share_one_interner()
    {
        var interner = new NameInterner(capacity: 5_000); // also past capacity: unpooled strings, still equal
        var names = Enumerable.Range(0, 20_000).Select(i => "n" + (i * 7919).ToString(CultureInfo.InvariantCulture)).ToArray();
        var utf8 = names.Select(Encoding.UTF8.GetBytes).ToArray();
        var failures = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            var random = new Random(100 + t);
            for (var i = 0; i < 100_000; i++)
            {
                var k = random.Next(names.Length);
                if (!string.Equals(interner.InternUtf8(utf8[k]), names[k], StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        Assert.Equal(0, failures);
        Assert.True(interner.Count <= 5_000 + 4, $"{interner.Count} pooled"); // GetOrAdd races may pass the bound by a few
    }

    private static NdjsonEventParser Parser() => new(new ParserOptions { MaxFutureSkew = TimeSpan.FromDays(1) }, Clock);

    private static DateTimeOffset? ReaderTimestamp(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes("\"" + text + "\""));
        reader.Read();
        return reader.TryGetDateTimeOffset(out var value) ? value : null;
    }

    private static double ReaderDouble(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        reader.Read();
        Assert.True(reader.TryGetDouble(out var value), text);
        return value;
    }
}
