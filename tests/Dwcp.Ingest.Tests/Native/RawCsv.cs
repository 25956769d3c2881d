using System.Globalization;
using Dwcp.Core.Focus;
using Dwcp.Ingest.Native;
using Dwcp.Tests;
using Microsoft.VisualBasic.FileIO;

namespace Dwcp.Ingest.Tests.Native;

/// <summary>
/// An independent reading of a source CSV (the VB TextFieldParser, no code shared with the readers), and helpers to
/// total money per billing account and day.
/// </summary>
internal sealed class RawCsv
{
    private RawCsv(string[] header, List<string[]> rows)
    {
        Header = header;
        Rows = rows;
    }

    public string[] Header { get; }

    public List<string[]> Rows { get; }

    public static string Native(params string[] parts) => RepoPaths.Of(["data", "samples", "native", .. parts]);

    public static RawCsv Read(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!.Select(h => h.TrimStart('\uFEFF')).ToArray();
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }

        return new RawCsv(header, rows);
    }

    public string Get(string[] row, string column)
    {
        var i = Array.FindIndex(Header, h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));
        Assert.True(i >= 0, $"no column {column}");
        return row[i];
    }

    public static decimal Money(string text) =>
        text.Length == 0 ? 0m : decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Sums <paramref name="amount"/> per (account, day) over the source rows.</summary>
    public Dictionary<(string, DateOnly), decimal> Totals(Func<string[], string> account, Func<string[], DateOnly> day, Func<string[], decimal> amount)
    {
        var totals = new Dictionary<(string, DateOnly), decimal>();
        foreach (var r in Rows)
        {
            var key = (account(r), day(r));
            totals[key] = totals.GetValueOrDefault(key) + amount(r);
        }

        return totals;
    }

    /// <summary>Sums a FOCUS money column per (BillingAccountId, ChargePeriodStart day).</summary>
    public static Dictionary<(string, DateOnly), decimal> Totals(IEnumerable<FocusRow> rows, Func<FocusRow, decimal?> amount)
    {
        var totals = new Dictionary<(string, DateOnly), decimal>();
        foreach (var r in rows)
        {
            var key = (r.BillingAccountId!, DateOnly.FromDateTime(r.ChargePeriodStart!.Value));
            totals[key] = totals.GetValueOrDefault(key) + amount(r)!.Value;
        }

        return totals;
    }

    /// <summary>Asserts equal totals per key, to the cent (and in fact exactly, since both sides are decimal sums).</summary>
    public static void AssertSameTotals(Dictionary<(string, DateOnly), decimal> expected, Dictionary<(string, DateOnly), decimal> actual)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k).ToList(), actual.Keys.OrderBy(k => k).ToList());
        foreach (var (key, value) in expected)
        {
            Assert.True(Math.Round(value, 2) == Math.Round(actual[key], 2), $"{key}: expected {value}, got {actual[key]}");
            Assert.Equal(value, actual[key]);
        }
    }

    public static (List<FocusRow> Rows, IngestReport Report) ReadAll(string path, BillingReaderOptions? options = null)
    {
        using var reader = BillingFileReader.Open(path, options);
        var rows = reader.ReadRows().ToList();
        return (rows, reader.Report);
    }

    /// <summary>Month/day/year or ISO day of a source date cell.</summary>
    public static DateOnly Day(string text)
    {
        text = text.Trim();
        if (text.Contains('/', StringComparison.Ordinal) && text.IndexOf('/') < 3)
        {
            return DateOnly.ParseExact(text, ["M/d/yyyy", "MM/dd/yyyy"], CultureInfo.InvariantCulture);
        }

        return DateOnly.ParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
