using System.Globalization;
using Dwcp.Anomalies.Csv;

namespace Dwcp.Anomalies.Tests;

/// <summary>The <c>dwcp detect</c> reader accepts what ISO 8601 and RFC 4180 allow (and what <c>dwcp cost</c> and
/// <c>dwcp forecast</c> write), and warns when a file is too short for calibrated scores.</summary>
public sealed class DetectCsvReaderTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-detect-reader");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [InlineData("2024-03-01T00:00Z", 0)]
    [InlineData("2024-03-01 00:00:00Z", 0)]
    [InlineData("2024-03-01T02:00+02:00", 0)]
    [InlineData("2024-03-01 01:00:00+01:00", 0)]
    [InlineData("2024-03-01T00:00:00.250Z", 250)]
    public void Iso_timestamps_with_an_offset_or_without_seconds_are_read_as_utc(string text, int millis)
    {
        var path = Write("t.csv", $"timestamp,value\n{text},1\n");

        var row = Assert.Single(SeriesCsv.Read(path));

        Assert.Equal(new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(millis), row.Timestamp);
        Assert.Equal(text, row.TimestampText);
    }

    [Fact]
    public void Quoted_fields_extra_columns_and_column_order_are_read_and_written_back_verbatim()
    {
        var input = Write("q.csv", "label,value,timestamp\n\"a, b\",\"1,234.5\",2024-01-01 00:00:00\nplain,7,\"2024-01-01 01:00:00\"\n");
        var output = Path.Combine(_dir, "out.csv");

        var rows = SeriesCsv.Read(input);
        DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = output });

        Assert.Equal([1234.5, 7.0], rows.Select(r => r.Value));
        var lines = File.ReadAllLines(output);
        Assert.Equal(DetectCsvJob.OutputHeader, lines[0]);
        Assert.StartsWith("2024-01-01 00:00:00,\"1,234.5\",", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("\"2024-01-01 01:00:00\",7,", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void An_unquoted_thousands_separator_is_a_field_count_error_that_says_to_quote()
    {
        var input = Write("u.csv", "timestamp,value\n2024-01-01 00:00:00,1,234.5\n");

        var e = Assert.Throws<AnomalyInputException>(() => SeriesCsv.Read(input));

        Assert.Equal(2, e.Line);
        Assert.Contains("expected 2 fields", e.Message, StringComparison.Ordinal);
        Assert.Contains("Quote a field", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_without_a_value_column_names_what_is_missing()
    {
        var input = Write("h.csv", "timestamp,amount\n2024-01-01 00:00:00,1\n");

        var e = Assert.Throws<AnomalyInputException>(() => SeriesCsv.Read(input));

        Assert.Equal(1, e.Line);
        Assert.Contains("a 'value' column", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_batch_file_warns_that_nothing_can_be_flagged_below_one_over_n()
    {
        var lines = Enumerable.Range(0, 14).Select(i => $"2024-01-{i + 1:00},{(i == 9 ? 1000 : 10 + (i % 3))}");
        var input = Write("short.csv", "timestamp,value\n" + string.Join('\n', lines) + "\n");

        var result = DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = Path.Combine(_dir, "s.csv"), FpRate = 0.05 });

        var warning = Assert.Single(result.Warnings);
        Assert.Contains("only 14 rows", warning, StringComparison.Ordinal);
        Assert.Contains("1/14 = 0.071", warning, StringComparison.Ordinal); // 1/14 computed by hand
        Assert.Contains("nothing can be flagged at --fp-rate 0.05", warning, StringComparison.Ordinal);
        Assert.Equal(0, result.Files[0].Anomalies);
    }

    [Fact]
    public void A_short_online_file_warns_that_no_row_could_be_scored()
    {
        var lines = Enumerable.Range(0, 30).Select(i => $"{new DateTime(2024, 1, 1).AddDays(i):yyyy-MM-dd},{10 + (i % 7)}");
        var input = Write("online.csv", "timestamp,value\n" + string.Join('\n', lines) + "\n");
        var output = Path.Combine(_dir, "o.csv");

        var result = DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = output, Online = true });

        Assert.Contains(result.Warnings, w => w.Contains("none of its 30 rows could be scored", StringComparison.Ordinal));
        Assert.All(File.ReadAllLines(output).Skip(1), l => Assert.Equal("0", l.Split(',')[2]));
    }
}
