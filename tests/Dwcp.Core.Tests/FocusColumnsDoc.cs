using Dwcp.Tests;

namespace Dwcp.Core.Tests;

/// <summary>One row of a table in docs/focus-columns.md, by header name.</summary>
internal sealed record DocRow(IReadOnlyDictionary<string, string> Cells)
{
    public string this[string header] => Cells[header];
}

/// <summary>Reads the Markdown tables of docs/focus-columns.md, independently of the product code.</summary>
internal static class FocusColumnsDoc
{
    public static string Path => RepoPaths.Of("docs", "focus-columns.md");

    /// <summary>The "All columns, feature level by version" table.</summary>
    public static IReadOnlyList<DocRow> AllColumns { get; } = Table("## All columns, feature level by version");

    /// <summary>The "Mandatory columns in v1.2" table.</summary>
    public static IReadOnlyList<DocRow> MandatoryV12 { get; } = Table("## Mandatory columns in v1.2");

    /// <summary>The first Markdown table after the heading that starts with <paramref name="heading"/>.</summary>
    public static IReadOnlyList<DocRow> Table(string heading)
    {
        var lines = File.ReadAllLines(Path);
        var start = Array.FindIndex(lines, l => l.StartsWith(heading, StringComparison.Ordinal));
        if (start < 0)
        {
            throw new InvalidOperationException($"{Path} has no heading '{heading}'.");
        }

        var table = lines.Skip(start + 1)
            .SkipWhile(l => !l.TrimStart().StartsWith('|'))
            .TakeWhile(l => l.TrimStart().StartsWith('|'))
            .ToList();
        if (table.Count < 3)
        {
            throw new InvalidOperationException($"The table under '{heading}' in {Path} is missing or empty.");
        }

        var header = Cells(table[0]);
        if (!Cells(table[1]).All(c => c.Length > 0 && c.Trim('-', ':').Length == 0))
        {
            throw new InvalidOperationException($"The table under '{heading}' has no separator line.");
        }

        return table.Skip(2).Select(line =>
        {
            var cells = Cells(line);
            if (cells.Count != header.Count)
            {
                throw new InvalidOperationException($"Row '{line}' has {cells.Count} cells; the header has {header.Count}.");
            }

            return new DocRow(header.Zip(cells).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
        }).ToList();
    }

    private static List<string> Cells(string line)
    {
        var t = line.Trim();
        return t[1..^1].Split('|').Select(c => c.Trim()).ToList();
    }
}
