using System.Globalization;
using Dwcp.Tests;
using Microsoft.VisualBasic.FileIO;

namespace Dwcp.Ingest.Tests;

/// <summary>The real FinOps Foundation FOCUS 1.0 sample, checked against an independent parse of the same file.</summary>
public class SampleFileTests
{
    private static readonly Lazy<(string[] Header, List<string[]> Rows)> Raw = new(ParseIndependently);

    /// <summary>Parses the sample with the VB TextFieldParser, which shares no code with the reader.</summary>
    private static (string[] Header, List<string[]> Rows) ParseIndependently()
    {
        using var parser = new TextFieldParser(RepoPaths.FocusSample) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        parser.TrimWhiteSpace = false;
        var header = parser.ReadFields()!;
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }

        return (header, rows);
    }

    private static int Col(string name) => Array.IndexOf(Raw.Value.Header, name);

    [Fact]
    public void Reads_all_1000_rows_of_the_real_sample_without_errors()
    {
        var (rows, report) = TestCsv.ReadAll(RepoPaths.FocusSample);

        Assert.Equal(1000, rows.Count);
        Assert.Equal(1000, report.RowsRead);
        Assert.Equal(0, report.RowsRejected);
        Assert.Equal(0, report.ErrorCount);
        Assert.Empty(report.Errors);
        Assert.Equal(IngestFormat.Csv, report.FormatDetected);
        Assert.Null(report.FatalError);
    }

    [Theory]
    [InlineData("BilledCost", "20.52")]
    [InlineData("EffectiveCost", "14.98")]
    [InlineData("ListCost", "20.39")]
    public void Cost_sums_match_an_independent_parse_to_the_last_decimal_place(string column, string readmeRounded)
    {
        var i = Col(column);
        var expected = Raw.Value.Rows.Sum(r => decimal.Parse(r[i], NumberStyles.Float, CultureInfo.InvariantCulture));

        var (rows, _) = TestCsv.ReadAll(RepoPaths.FocusSample);
        var actual = column switch
        {
            "BilledCost" => rows.Sum(r => r.BilledCost!.Value),
            "EffectiveCost" => rows.Sum(r => r.EffectiveCost!.Value),
            _ => rows.Sum(r => r.ListCost!.Value),
        };

        Assert.Equal(expected, actual);
        Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), actual.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Parse(readmeRounded, CultureInfo.InvariantCulture), Math.Round(actual, 2));
    }

    [Fact]
    public void Every_decimal_keeps_the_digits_written_in_the_file()
    {
        var (rows, _) = TestCsv.ReadAll(RepoPaths.FocusSample);
        var raw = Raw.Value.Rows;
        string[] columns = ["BilledCost", "ConsumedQuantity", "ListUnitPrice", "PricingQuantity"];
        for (var r = 0; r < raw.Count; r++)
        {
            foreach (var name in columns)
            {
                var text = raw[r][Col(name)];
                var value = Dwcp.Core.Focus.FocusColumns.Get(name) is var c ? rows[r].Decimals[c.Slot] : null;
                if (text == "NULL")
                {
                    Assert.Null(value);
                }
                else
                {
                    Assert.Equal(text, value!.Value.ToString(CultureInfo.InvariantCulture));
                }
            }
        }
    }

    [Fact]
    public void Literal_NULL_cells_are_null_and_counted()
    {
        var expectedNulls = Raw.Value.Rows.Sum(r => r.Count(v => v == "NULL"));
        var idColumn = Col("Id");
        Assert.True(Raw.Value.Rows.All(r => r[idColumn] != "NULL"));

        var (rows, report) = TestCsv.ReadAll(RepoPaths.FocusSample);

        Assert.Equal(expectedNulls, report.WarningCount(IngestWarningKind.NullLiteral));
        Assert.All(rows, r => Assert.Null(r.ChargeClass));
        var first = report.Warnings[IngestWarningKind.NullLiteral];
        Assert.Equal(2, first.FirstLine);
        Assert.Equal("AvailabilityZone", first.FirstColumn);
    }

    [Fact]
    public void Empty_strings_become_null_and_are_counted()
    {
        var empties = Raw.Value.Rows.Sum(r => r.Count(v => v.Length == 0));
        Assert.True(empties > 0);

        var (rows, report) = TestCsv.ReadAll(RepoPaths.FocusSample);

        Assert.Equal(empties, report.WarningCount(IngestWarningKind.EmptyStringAsNull));
        var oracle = rows.Where(r => r.ProviderName == "Oracle").ToList();
        Assert.Equal(7, oracle.Count);
        Assert.All(oracle, r => Assert.Null(r.BillingAccountName));
        Assert.All(oracle, r => Assert.Null(r.PricingCategory));
        Assert.DoesNotContain(rows, r => r.Strings.Any(s => s is { Length: 0 }));
    }

    [Fact]
    public void Timestamps_without_T_or_Z_are_read_as_UTC_and_counted()
    {
        var (rows, report) = TestCsv.ReadAll(RepoPaths.FocusSample);

        Assert.Equal(4 * 1000, report.WarningCount(IngestWarningKind.TimestampWithoutTimeZone));
        var raw = Raw.Value.Rows[0];
        var expected = DateTime.ParseExact(raw[Col("ChargePeriodStart")], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        Assert.Equal(expected, rows[0].ChargePeriodStart);
        Assert.Equal(DateTimeKind.Utc, rows[0].ChargePeriodStart!.Value.Kind);
        Assert.All(rows, r => Assert.Equal(DateTimeKind.Utc, r.BillingPeriodStart!.Value.Kind));
    }

    [Fact]
    public void Usage_based_in_the_wrong_case_is_fixed_on_exactly_7_rows()
    {
        var wrongCase = Raw.Value.Rows.Count(r => r[Col("ChargeFrequency")] == "Usage-based");
        Assert.Equal(7, wrongCase);

        var (rows, report) = TestCsv.ReadAll(RepoPaths.FocusSample);

        Assert.Equal(7, report.WarningCount(IngestWarningKind.AllowedValueCaseFixed));
        Assert.Equal(0, report.WarningCount(IngestWarningKind.UnknownAllowedValue));
        Assert.DoesNotContain(rows, r => r.ChargeFrequency == "Usage-based");
        Assert.Equal(999, rows.Count(r => r.ChargeFrequency == "Usage-Based"));
        Assert.Equal("Usage-based", report.Warnings[IngestWarningKind.AllowedValueCaseFixed].FirstValue);
    }

    [Fact]
    public void Tag_key_with_a_leading_space_is_trimmed_in_NormalizedTags_while_Tags_stays_raw()
    {
        var tagsColumn = Col("Tags");
        var rawTags = Raw.Value.Rows.Select(r => r[tagsColumn]).ToList();
        var withSpace = rawTags.Count(t => t.Contains("\" org\"", StringComparison.Ordinal));
        Assert.True(withSpace > 0);

        var (rows, report) = TestCsv.ReadAll(RepoPaths.FocusSample);

        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rawTags[i] == "NULL" ? null : rawTags[i], rows[i].Tags);
        }

        var spaced = rows.Where(r => r.Tags?.Contains("\" org\"", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(withSpace, spaced.Count);
        Assert.All(spaced, r =>
        {
            Assert.DoesNotContain(r.NormalizedTags, kv => kv.Key != kv.Key.Trim());
            Assert.Single(r.NormalizedTags, kv => kv.Key == "org");
            Assert.Equal("trey", r.NormalizedTags.Single(kv => kv.Key == "org").Value);
        });
        Assert.Equal(withSpace, report.WarningCount(IngestWarningKind.TagKeyTrimmed));
        Assert.Equal(0, report.WarningCount(IngestWarningKind.JsonNotObject));
    }

    [Fact]
    public void Tags_of_an_ordinary_row_are_parsed_into_pairs()
    {
        var (rows, _) = TestCsv.ReadAll(RepoPaths.FocusSample);

        var row = rows[1];
        Assert.Equal(
            [new("application", "BrightLensMatrix"), new("environment", "dev"), new("business_unit", "ViennaAI")],
            row.NormalizedTags);
        Assert.Empty(rows[0].NormalizedTags);
    }

    [Fact]
    public void The_non_FOCUS_Id_column_lands_in_Extensions_with_its_raw_text()
    {
        var ids = Raw.Value.Rows.Select(r => r[Col("Id")]).ToList();

        var (rows, _) = TestCsv.ReadAll(RepoPaths.FocusSample);

        Assert.Equal(ids, rows.Select(r => r.Extensions["Id"]));
        Assert.All(rows, r => Assert.Single(r.Extensions));
    }

    [Fact]
    public void Rows_remember_their_file_and_line()
    {
        var (rows, _) = TestCsv.ReadAll(RepoPaths.FocusSample);

        Assert.Equal(Enumerable.Range(2, 1000).Select(i => (long)i), rows.Select(r => r.SourceLine));
        Assert.All(rows, r => Assert.Equal(RepoPaths.FocusSample, r.SourceFile));
    }

    [Fact]
    public void ContractedCost_nulls_of_the_Oracle_rows_are_warnings_not_errors()
    {
        var nulls = Raw.Value.Rows.Count(r => r[Col("ContractedCost")] == "NULL");
        Assert.Equal(7, nulls);

        var (rows, report) = TestCsv.ReadAll(RepoPaths.FocusSample);

        Assert.Equal(7, rows.Count(r => r.ContractedCost is null));
        Assert.Equal(7, report.WarningCount(IngestWarningKind.NullInNonNullableColumn));
        Assert.Equal("ContractedCost", report.Warnings[IngestWarningKind.NullInNonNullableColumn].FirstColumn);
    }

    [Fact]
    public void File_hash_matches_the_one_recorded_in_the_sample_README()
    {
        Assert.Equal("e91e5ac7edf01ed2c9d926f37ef7dc1ae2aae97956fea8da6c9ee488b1c2839e", FileHasher.Sha256Hex(RepoPaths.FocusSample));
    }
}
