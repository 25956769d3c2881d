using System.Globalization;
using System.Text.Json;
using Dwcp.Anomalies.Csv;
using Dwcp.Anomalies.Evaluation;

namespace Dwcp.Bench.Nab;

/// <summary>The NAB subset under data/nab: files, values and label windows.</summary>
internal static class NabCorpus
{
    public static List<(NabFile File, double[] Values)> Load(string nabRoot)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(nabRoot, "combined_windows.json")));
        var result = new List<(NabFile, double[])>();
        foreach (var entry in json.RootElement.EnumerateObject().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var path = Path.Combine(nabRoot, "data", entry.Name);
            var rows = SeriesCsv.Read(path);
            var windows = entry.Value.EnumerateArray()
                .Select(w => (Parse(w[0].GetString()!), Parse(w[1].GetString()!)))
                .ToList();
            result.Add((new NabFile(entry.Name, rows.Select(r => r.Timestamp).ToArray(), windows), rows.Select(r => r.Value).ToArray()));
        }

        return result;
    }

    /// <summary>NAB's probationary length for a file of <paramref name="rows"/> rows: 15% of it, at most 750, made even.</summary>
    public static int ProbationaryLength(int rows)
    {
        var p = rows < 5000 ? (int)Math.Floor(0.15 * rows) : 750;
        return p - (p % 2);
    }

    private static DateTime Parse(string s) =>
        DateTime.ParseExact(s, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
