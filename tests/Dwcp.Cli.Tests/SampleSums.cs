using System.Globalization;
using Dwcp.Tests;
using Microsoft.VisualBasic.FileIO;

namespace Dwcp.Cli.Tests;

/// <summary>Sums of a FOCUS CSV computed independently of the product (VisualBasic's TextFieldParser).</summary>
internal static class SampleSums
{
    public static Dictionary<string, decimal> BilledByProvider(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        var cost = Array.IndexOf(header, "BilledCost");
        var provider = Array.IndexOf(header, "ProviderName");
        var sums = new Dictionary<string, decimal>(StringComparer.Ordinal);
        while (!parser.EndOfData)
        {
            var f = parser.ReadFields()!;
            sums[f[provider]] = sums.GetValueOrDefault(f[provider]) + decimal.Parse(f[cost], NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return sums;
    }

    /// <summary>Billed cost of rows whose Tags JSON has the key (trimmed; keys are case-sensitive by default), and of all rows.</summary>
    public static (decimal Tagged, decimal Total) TagCoverage(string key)
    {
        using var parser = new TextFieldParser(RepoPaths.FocusSample) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!.Select(h => h.Trim('\uFEFF')).ToArray();
        var cost = Array.IndexOf(header, "BilledCost");
        var tags = Array.IndexOf(header, "Tags");
        decimal tagged = 0, total = 0;
        while (!parser.EndOfData)
        {
            var f = parser.ReadFields()!;
            var amount = decimal.Parse(f[cost], NumberStyles.Float, CultureInfo.InvariantCulture);
            total += amount;
            if (f[tags].StartsWith('{'))
            {
                using var doc = System.Text.Json.JsonDocument.Parse(f[tags]);
                if (doc.RootElement.EnumerateObject().Any(p => p.Name.Trim().Equals(key, StringComparison.Ordinal)))
                {
                    tagged += amount;
                }
            }
        }

        return (tagged, total);
    }
}
