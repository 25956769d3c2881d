using System.Globalization;
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
}
