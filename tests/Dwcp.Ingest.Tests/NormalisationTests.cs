namespace Dwcp.Ingest.Tests;

/// <summary>Timestamps, allowed values and Tags normalisation, each counted as a warning.</summary>
public class NormalisationTests
{
    private static readonly string[] Header = TestCsv.Mandatory.Append("Tags").Append("ChargeFrequency").Append("SkuPriceDetails").ToArray();

    private static (Dwcp.Core.Focus.FocusRow Row, IngestReport Report) ReadOne(Action<Dictionary<string, string>> change)
    {
        var row = TestCsv.Row();
        change(row);
        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(Header, [row])));
        Assert.Equal(0, report.ErrorCount);
        return (Assert.Single(rows), report);
    }

    [Theory]
    [InlineData("2024-09-01T10:20:30Z", "2024-09-01T10:20:30.0000000Z", null)]
    [InlineData("2024-09-01T10:20:30.1234567Z", "2024-09-01T10:20:30.1234567Z", null)]
    [InlineData("2024-09-01T10:20:30.5z", "2024-09-01T10:20:30.5000000Z", null)]
    [InlineData("2024-09-01T12:20:30+02:00", "2024-09-01T10:20:30.0000000Z", IngestWarningKind.TimestampOffsetConverted)]
    [InlineData("2024-09-01T05:20:30-0500", "2024-09-01T10:20:30.0000000Z", IngestWarningKind.TimestampOffsetConverted)]
    [InlineData("2024-09-01T00:30:00+01", "2024-08-31T23:30:00.0000000Z", IngestWarningKind.TimestampOffsetConverted)]
    [InlineData("2024-09-01T10:20:30+00:00", "2024-09-01T10:20:30.0000000Z", null)]
    [InlineData("2024-09-01 10:20:30", "2024-09-01T10:20:30.0000000Z", IngestWarningKind.TimestampWithoutTimeZone)]
    [InlineData("2024-09-01T10:20:30", "2024-09-01T10:20:30.0000000Z", IngestWarningKind.TimestampWithoutTimeZone)]
    [InlineData("2024-09-01 10:20:30 UTC", "2024-09-01T10:20:30.0000000Z", null)]
    [InlineData("2024-09-01T10:20Z", "2024-09-01T10:20:00.0000000Z", null)]
    [InlineData("2024-09-01", "2024-09-01T00:00:00.0000000Z", IngestWarningKind.DateOnlyTimestamp)]
    [InlineData("2024-02-29", "2024-02-29T00:00:00.0000000Z", IngestWarningKind.DateOnlyTimestamp)]
    public void Timestamps_in_ISO_8601_variants_are_read_as_UTC(string text, string expectedRoundTrip, IngestWarningKind? warning)
    {
        var (row, report) = ReadOne(r => r["ChargePeriodStart"] = text);

        Assert.Equal(expectedRoundTrip, row.ChargePeriodStart!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeKind.Utc, row.ChargePeriodStart.Value.Kind);
        IngestWarningKind[] timestampKinds =
            [IngestWarningKind.TimestampOffsetConverted, IngestWarningKind.TimestampWithoutTimeZone, IngestWarningKind.DateOnlyTimestamp];
        foreach (var kind in timestampKinds)
        {
            Assert.Equal(kind == warning ? 1 : 0, report.WarningCount(kind));
        }
    }

    [Theory]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2023-02-29")]
    [InlineData("2024-09-01T24:00:00Z")]
    [InlineData("2024-09-01T10:20:30+25:00")]
    [InlineData("2024-09-01T10:20:30 CET")]
    [InlineData("09/01/2024")]
    [InlineData("2024-9-1")]
    [InlineData("2024-09-01T10:20:30.Z")]
    public void Impossible_or_ambiguous_timestamps_are_errors(string text)
    {
        var row = TestCsv.Row();
        row["ChargePeriodStart"] = text;

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(Header, [row])));

        Assert.Empty(rows);
        Assert.Equal(text, Assert.Single(report.Errors).Value);
    }

    [Theory]
    [InlineData("ChargeFrequency", "usage-based", "Usage-Based")]
    [InlineData("ChargeFrequency", "ONE-TIME", "One-Time")]
    [InlineData("ChargeCategory", "usage", "Usage")]
    [InlineData("ServiceCategory", "ai and machine learning", "AI and Machine Learning")]
    public void Allowed_values_in_the_wrong_case_get_the_FOCUS_spelling(string column, string text, string expected)
    {
        var (row, report) = ReadOne(r => r[column] = text);

        Assert.Equal(expected, row.Strings[Dwcp.Core.Focus.FocusColumns.Get(column).Slot]);
        Assert.Equal(1, report.WarningCount(IngestWarningKind.AllowedValueCaseFixed));
        Assert.Equal(text, report.Warnings[IngestWarningKind.AllowedValueCaseFixed].FirstValue);
    }

    [Fact]
    public void Unknown_allowed_values_are_kept_and_counted()
    {
        var (row, report) = ReadOne(r => r["ServiceCategory"] = "Quantum");

        Assert.Equal("Quantum", row.ServiceCategory);
        Assert.Equal(1, report.WarningCount(IngestWarningKind.UnknownAllowedValue));
        Assert.Equal("ServiceCategory", report.Warnings[IngestWarningKind.UnknownAllowedValue].FirstColumn);
    }

    [Fact]
    public void Repeated_values_are_counted_every_time_even_when_cached()
    {
        var rows = Enumerable.Range(0, 30).Select(_ =>
        {
            var r = TestCsv.Row();
            r["ChargeFrequency"] = "usage-based";
            return (IReadOnlyDictionary<string, string>)r;
        });

        var (read, report) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(Header, rows)));

        Assert.Equal(30, report.WarningCount(IngestWarningKind.AllowedValueCaseFixed));
        Assert.All(read, r => Assert.Equal("Usage-Based", r.ChargeFrequency));
        Assert.Same(read[0].ProviderName, read[29].ProviderName);
    }

    [Fact]
    public void Tag_keys_and_values_are_trimmed_and_non_string_values_kept_as_JSON_text()
    {
        const string tags = "{\" team \": \" core \", \"cost\": 12.50, \"on\": true, \"none\": null, \"nested\": {\"a\": [1, 2]}}";

        var (row, report) = ReadOne(r => r["Tags"] = tags);

        Assert.Equal(tags, row.Tags);
        Assert.Equal(
            [new("team", "core"), new("cost", "12.50"), new("on", "true"), new("none", "null"), new("nested", "{\"a\": [1, 2]}")],
            row.NormalizedTags);
        Assert.Equal(1, report.WarningCount(IngestWarningKind.TagKeyTrimmed));
    }

    [Fact]
    public void Duplicate_tag_keys_after_trimming_keep_the_first_value()
    {
        var (row, report) = ReadOne(r => r["Tags"] = "{\"env\": \"prod\", \" env\": \"dev\"}");

        Assert.Equal([new("env", "prod")], row.NormalizedTags);
        Assert.Equal(1, report.WarningCount(IngestWarningKind.TagKeyDuplicate));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[\"a\", \"b\"]")]
    [InlineData("{\"a\": \"b\"")]
    [InlineData("{\"a\": \"b\"} trailing")]
    public void Tags_that_are_not_a_JSON_object_are_kept_as_text_with_empty_NormalizedTags(string tags)
    {
        var (row, report) = ReadOne(r => r["Tags"] = tags);

        Assert.Equal(tags, row.Tags);
        Assert.Empty(row.NormalizedTags);
        Assert.Equal(1, report.WarningCount(IngestWarningKind.JsonNotObject));
    }

    [Fact]
    public void Unicode_and_escapes_in_tags_are_decoded()
    {
        var (row, _) = ReadOne(r => r["Tags"] = "{\"caf\\u00e9\": \"na\\\"ive\", \"ключ\": \"значение\"}");

        Assert.Equal([new("café", "na\"ive"), new("ключ", "значение")], row.NormalizedTags);
    }

    [Fact]
    public void SkuPriceDetails_that_is_not_a_JSON_object_is_counted()
    {
        var (row, report) = ReadOne(r => r["SkuPriceDetails"] = "n/a");

        Assert.Equal("n/a", row.SkuPriceDetails);
        Assert.Equal(1, report.WarningCount(IngestWarningKind.JsonNotObject));
    }

    [Fact]
    public void Quoted_NULL_is_null_too()
    {
        var content = TestCsv.File(Header, [TestCsv.Row()]).Replace("Hours", "\"NULL\"", StringComparison.Ordinal);

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Null(rows[0].PricingUnit);
        Assert.Equal(1, report.WarningCount(IngestWarningKind.NullLiteral));
    }

    [Fact]
    public void Warnings_remember_the_first_location()
    {
        var rows = Enumerable.Range(0, 5).Select(i =>
        {
            var r = TestCsv.Row();
            if (i >= 2)
            {
                r["ChargePeriodStart"] = "2024-09-01 00:00:00";
            }

            return (IReadOnlyDictionary<string, string>)r;
        });
        var path = TestCsv.Write(TestCsv.File(Header, rows));

        var (_, report) = TestCsv.ReadAll(path);

        var w = report.Warnings[IngestWarningKind.TimestampWithoutTimeZone];
        Assert.Equal((3L, 4L, "ChargePeriodStart", "2024-09-01 00:00:00", path), (w.Count, w.FirstLine, w.FirstColumn, w.FirstValue, w.File));
    }
}
