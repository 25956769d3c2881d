using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.VisualBasic.FileIO;

namespace Dwcp.Bench;

/// <summary>
/// Generates large native exports for the per-format ingest benchmark by cycling the rows of the repository's fixtures
/// (data/samples/native: the real Azure EA sample, the synthetic GCP export) and varying their day, quantity and cost
/// with a seeded random generator. Every column the provider documents stays as the fixture has it.
/// </summary>
internal static class FormatsData
{
    /// <summary>Azure EA cost details (CSV), from <c>azure/EA_ActualCost_Small.csv</c>.</summary>
    public static void WriteAzureEa(string root, string path, int rows, int seed)
    {
        var (header, templates) = ReadCsv(Path.Combine(root, "data", "samples", "native", "azure", "EA_ActualCost_Small.csv"));
        int Col(string name) => Array.IndexOf(header, name);
        int date = Col("Date"), quantity = Col("Quantity"), cost = Col("Cost"), resource = Col("ResourceId");
        var rng = new Random(seed);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        w.WriteLine(string.Join(',', header.Select(Quote)));
        for (var i = 0; i < rows; i++)
        {
            var cells = (string[])templates[i % templates.Count].Clone();
            var q = Math.Round((decimal)rng.NextDouble() * 10m, 6);
            cells[date] = string.Create(CultureInfo.InvariantCulture, $"09/{1 + (i % 30):D2}/2023");
            cells[quantity] = q.ToString(CultureInfo.InvariantCulture);
            cells[cost] = Math.Round(q * (0.01m + ((decimal)rng.NextDouble() * 0.5m)), 10).ToString(CultureInfo.InvariantCulture);
            if (cells[resource].Length > 0)
            {
                cells[resource] += "-" + (i % 5000).ToString(CultureInfo.InvariantCulture);
            }

            w.WriteLine(string.Join(',', cells.Select(Quote)));
        }
    }

    /// <summary>GCP standard billing export flattened to CSV, from <c>gcp/gcp-billing-export.csv</c>.</summary>
    public static void WriteGcpCsv(string root, string path, int rows, int seed)
    {
        var (header, templates) = ReadCsv(Path.Combine(root, "data", "samples", "native", "gcp", "gcp-billing-export.csv"));
        int Col(string name) => Array.IndexOf(header, name);
        int start = Col("usage_start_time"), end = Col("usage_end_time"), cost = Col("cost"), amount = Col("usage.amount");
        var rng = new Random(seed);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        w.WriteLine(string.Join(',', header.Select(Quote)));
        for (var i = 0; i < rows; i++)
        {
            var cells = (string[])templates[i % templates.Count].Clone();
            var t = new DateTime(2023, 11, 1 + (i % 30), i / 30 % 24, 0, 0, DateTimeKind.Utc);
            cells[start] = t.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
            cells[end] = t.AddHours(1).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
            cells[cost] = Math.Round((decimal)rng.NextDouble() * 5m, 6).ToString(CultureInfo.InvariantCulture);
            cells[amount] = Math.Round((decimal)rng.NextDouble() * 10m, 3).ToString(CultureInfo.InvariantCulture);
            w.WriteLine(string.Join(',', cells.Select(Quote)));
        }
    }

    /// <summary>GCP billing export as BigQuery newline-delimited JSON, from <c>gcp/gcp-billing-export.jsonl</c>.</summary>
    public static void WriteGcpJsonl(string root, string path, int rows, int seed)
    {
        var templates = File.ReadAllLines(Path.Combine(root, "data", "samples", "native", "gcp", "gcp-billing-export.jsonl"))
            .Where(l => l.Length > 0)
            .ToList();
        var rng = new Random(seed);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        for (var i = 0; i < rows; i++)
        {
            var node = JsonNode.Parse(templates[i % templates.Count])!.AsObject();
            var t = new DateTime(2023, 11, 1 + (i % 30), i / 30 % 24, 0, 0, DateTimeKind.Utc);
            node["usage_start_time"] = t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            node["usage_end_time"] = t.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            node["cost"] = Math.Round((decimal)rng.NextDouble() * 5m, 6);
            w.WriteLine(node.ToJsonString());
        }
    }

    private static (string[] Header, List<string[]> Rows) ReadCsv(string path)
    {
        using var parser = new TextFieldParser(path, Encoding.UTF8) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!.Select(h => h.Trim('\uFEFF')).ToArray();
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }

        return (header, rows);
    }

    private static string Quote(string v) =>
        v.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
}
