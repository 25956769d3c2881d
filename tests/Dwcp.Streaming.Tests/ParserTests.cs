using System.Text;
using Dwcp.Streaming.Events;

namespace Dwcp.Streaming.Tests;

public class ParserTests
{
    private static readonly FakeClock Clock = new(TestData.T0);

    private static NdjsonEventParser Parser(ParserOptions? options = null) => new(options ?? new ParserOptions(), Clock);

    private static IReadOnlyList<ParsedLine> Parse(string text, ParserOptions? options = null) => Parser(options).Parse(Encoding.UTF8.GetBytes(text));

    private const string Good = """{"event_id":"a1","timestamp":"2026-11-28T07:59:00Z","event_type":"usage","metrics":{"cost":1.5,"cpu":0.25},"resource_id":"i-1","provider":"aws","region":"eu-west-1","service":"ec2","account":"123","tags":{"env":"prod"}}""";

    [Fact]
    public void Parse_decodes_every_field_of_a_good_line()
    {
        var line = Assert.Single(Parse(Good));
        Assert.True(line.IsValid);
        var e = line.Event!;
        Assert.Equal("a1", e.EventId);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 7, 59, 0, TimeSpan.Zero), e.Timestamp);
        Assert.Equal("usage", e.EventType);
        Assert.Equal([new MetricValue("cost", 1.5), new MetricValue("cpu", 0.25)], e.Metrics.ToArray());
        Assert.Equal(("i-1", "aws", "eu-west-1", "ec2", "123"), (e.ResourceId, e.Provider, e.Region, e.Service, e.Account));
        Assert.Equal([new Tag("env", "prod")], e.Tags.ToArray());
    }

    [Fact]
    public void Parse_accepts_epoch_milliseconds_offsets_and_times_without_offset_as_utc()
    {
        var millis = new DateTimeOffset(2026, 11, 28, 7, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var lines = Parse($$"""
            {"event_id":"1","timestamp":{{millis}}}
            {"event_id":"2","timestamp":"2026-11-28T09:00:00+02:00"}
            {"event_id":"3","timestamp":"2026-11-28T07:00:00"}
            """);
        Assert.All(lines, l => Assert.Equal(new DateTimeOffset(2026, 11, 28, 7, 0, 0, TimeSpan.Zero), l.Event!.Timestamp));
        Assert.All(lines, l => Assert.Equal(TimeSpan.Zero, l.Event!.Timestamp.Offset));
        Assert.Equal("usage", lines[0].Event!.EventType);
    }

    [Fact]
    public void Parse_reports_each_bad_line_with_its_number_and_keeps_the_good_ones()
    {
        var future = TestData.T0.AddMinutes(6).ToString("O");
        var text = string.Join("\n",
            Good,                                                                       // 1 ok
            """{"event_id":"b","timestamp":"2026-11-28T07:00:00Z","metrics":{"cost":1""", // 2 malformed JSON
            """{"timestamp":"2026-11-28T07:00:00Z"}""",                                 // 3 missing event_id
            """{"event_id":"c"}""",                                                     // 4 missing timestamp
            """{"event_id":"d","timestamp":"2026-11-28T07:00:00Z","metrics":{"cost":"12"}}""", // 5 non-numeric metric
            """{"event_id":"e","timestamp":"2026-11-28T07:00:00Z","metrics":{"cost":"NaN"}}""", // 6 NaN string
            """{"event_id":"f","timestamp":"2026-11-28T07:00:00Z","metrics":{"cost":"-Infinity"}}""", // 7 Infinity string
            """{"event_id":"g","timestamp":"2026-11-28T07:00:00Z","metrics":{"cost":1e400}}""", // 8 number overflowing to Infinity
            $$"""{"event_id":"h","timestamp":"{{future}}"}""",                          // 9 too far in the future
            "",                                                                         // 10 blank: ignored
            """{"event_id":"i","timestamp":"yesterday"}""",                             // 11 bad timestamp
            """[1,2]""",                                                                // 12 not an object
            """{"event_id":"j","timestamp":"2026-11-28T07:00:00Z","metrics":{"a":1,"a":2}}""", // 13 duplicate metric
            """{"event_id":"k","timestamp":"2026-11-28T07:00:00Z"} {}""",              // 14 trailing content
            """{"event_id":"l","timestamp":"2026-11-28T07:00:00Z","tags":{"env":3}}""", // 15 non-string tag
            """{"event_id":"m","timestamp":"2026-11-28T07:00:00Z","metrics":{"cost":NaN}}""", // 16 NaN literal (invalid JSON)
            Good.Replace("a1", "a2"));                                                  // 17 ok
        var lines = Parse(text);
        Assert.Equal(16, lines.Count);
        Assert.Equal([1, 17], lines.Where(l => l.IsValid).Select(l => l.LineNumber));
        var errors = lines.Where(l => !l.IsValid).ToDictionary(l => l.LineNumber, l => l.Error!);
        Assert.Equal(("line", "malformed JSON"), (errors[2].Field, errors[2].Message[..14]));
        Assert.Equal("event_id", errors[3].Field);
        Assert.Contains("missing", errors[3].Message);
        Assert.Equal("timestamp", errors[4].Field);
        Assert.Contains("missing", errors[4].Message);
        Assert.Equal("metrics.cost", errors[5].Field);
        Assert.Contains("must be a number", errors[5].Message);
        Assert.Contains("NaN and Infinity", errors[6].Message);
        Assert.Contains("NaN and Infinity", errors[7].Message);
        Assert.Equal("metrics.cost", errors[8].Field);
        Assert.Contains("finite", errors[8].Message);
        Assert.Equal("timestamp", errors[9].Field);
        Assert.Contains("MaxFutureSkew", errors[9].Message);
        Assert.False(errors.ContainsKey(10));
        Assert.Contains("'yesterday'", errors[11].Message);
        Assert.Contains("not a JSON object", errors[12].Message);
        Assert.Contains("appears twice", errors[13].Message);
        Assert.Equal("line", errors[14].Field);
        Assert.Equal("tags.env", errors[15].Field);
        Assert.Contains("malformed JSON", errors[16].Message);
        Assert.All(errors.Values, e => Assert.StartsWith($"line {e.LineNumber}, field ", e.ToString()));
    }

    [Fact]
    public void Parse_rejects_unknown_event_types_when_the_policy_says_reject()
    {
        var text = """
            {"event_id":"1","timestamp":"2026-11-28T07:00:00Z","event_type":"usage"}
            {"event_id":"2","timestamp":"2026-11-28T07:00:00Z","event_type":"weird"}
            """;
        Assert.All(Parse(text), l => Assert.True(l.IsValid));
        var strict = Parse(text, new ParserOptions { UnknownEventTypes = UnknownEventTypePolicy.Reject, AllowedEventTypes = ["usage"] });
        Assert.True(strict[0].IsValid);
        Assert.Equal((2, "event_type"), (strict[1].LineNumber, strict[1].Error!.Field));
        Assert.Contains("'weird' is not allowed", strict[1].Error!.Message);
    }

    [Fact]
    public void Parse_rejects_an_over_long_line_by_length_and_continues_with_crlf_lines()
    {
        var options = new ParserOptions { MaxLineBytes = 200 };
        var longLine = """{"event_id":"x","timestamp":"2026-11-28T07:00:00Z","tags":{"pad":" """ + new string('p', 300) + "\"}}";
        var lines = Parse(Good.Replace("a1", "z1") + "\r\n" + longLine + "\r\n" + """{"event_id":"y","timestamp":"2026-11-28T07:00:00Z"}""" + "\r\n", options);
        Assert.Equal(3, lines.Count);
        Assert.False(lines[0].IsValid); // the good line is over 200 bytes too
        Assert.Equal((2, "line"), (lines[1].LineNumber, lines[1].Error!.Field));
        Assert.Contains("over the limit of 200", lines[1].Error!.Message);
        Assert.True(lines[2].IsValid);
        Assert.Equal(3, lines[2].LineNumber);
    }

    [Fact]
    public async Task ParseAsync_skips_a_10_MB_line_without_buffering_it_and_reads_the_lines_around_it()
    {
        var before = Encoding.UTF8.GetBytes(Good + "\n");
        var after = Encoding.UTF8.GetBytes("\n" + Good.Replace("a1", "a3") + "\n");
        var huge = new byte[10 * 1024 * 1024];
        Array.Fill(huge, (byte)'x');
        using var stream = new ChunkedStream([before, huge, after]);
        var lines = await Parser().ParseAsync(stream);
        Assert.Equal(3, lines.Count);
        Assert.True(lines[0].IsValid);
        Assert.Equal(2, lines[1].LineNumber);
        Assert.Contains($"line is {huge.Length} bytes", lines[1].Error!.Message);
        Assert.True(lines[2].IsValid);
        Assert.Equal(3, lines[2].LineNumber);
        Assert.Equal("a3", lines[2].Event!.EventId);
    }

    [Fact]
    public void Parse_rejects_a_10_MB_line_in_memory_by_length_and_keeps_the_next_line()
    {
        var huge = new byte[10 * 1024 * 1024];
        Array.Fill(huge, (byte)'{');
        var bytes = huge.Concat(Encoding.UTF8.GetBytes("\n" + Good)).ToArray();
        var lines = Parser().Parse(bytes);
        Assert.Equal(2, lines.Count);
        Assert.Equal((1, "line"), (lines[0].LineNumber, lines[0].Error!.Field));
        Assert.Contains("10485760 bytes, over the limit of 1048576", lines[0].Error!.Message);
        Assert.Equal((2, "a1"), (lines[1].LineNumber, lines[1].Event!.EventId));
    }

    [Fact]
    public async Task ParseAsync_and_Parse_agree_on_a_generated_batch()
    {
        var random = new Random(3);
        var builder = new StringBuilder();
        for (var i = 0; i < 500; i++)
        {
            builder.Append(random.Next(10) == 0 ? "{bad json" : $$$"""{"event_id":"id{{{i}}}","timestamp":{{{TestData.T0.AddSeconds(-i).ToUnixTimeMilliseconds()}}},"metrics":{"v":{{{i}}}}}""").Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(builder.ToString());
        var fromSpan = Parser().Parse(bytes);
        using var stream = new ChunkedStream([bytes], chunk: 1000);
        var fromStream = await Parser().ParseAsync(stream);
        Assert.Equal(fromSpan.Select(l => (l.LineNumber, l.Event?.EventId, l.Error?.Message)), fromStream.Select(l => (l.LineNumber, l.Event?.EventId, l.Error?.Message)));
        Assert.Equal(500, fromSpan.Count);
    }

    [Fact]
    public void Parse_interns_metric_names_and_dimension_values()
    {
        var lines = Parse(Good + "\n" + Good.Replace("a1", "a2"));
        Assert.Same(lines[0].Event!.Metrics[0].Name, lines[1].Event!.Metrics[0].Name);
        Assert.Same(lines[0].Event!.Region, lines[1].Event!.Region);
    }

    /// <summary>Serves byte arrays in small reads, like a network body.</summary>
    private sealed class ChunkedStream(byte[][] parts, int chunk = 64 * 1024) : Stream
    {
        private int _part;
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            while (_part < parts.Length && _offset == parts[_part].Length)
            {
                _part++;
                _offset = 0;
            }

            if (_part == parts.Length)
            {
                return 0;
            }

            var n = Math.Min(Math.Min(count, chunk), parts[_part].Length - _offset);
            Array.Copy(parts[_part], _offset, buffer, offset, n);
            _offset += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
