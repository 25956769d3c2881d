using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Cost.Ingestion;
using Dwcp.Ingest.Native;
using Dwcp.Tests;
using Microsoft.VisualBasic.FileIO;

namespace Dwcp.Cost.Tests;

/// <summary>
/// The real provider-native samples imported through the importer into a real store: what the query layer answers
/// equals the sums of the raw source columns, read here with a separate CSV parser.
/// </summary>
public sealed class NativeImportTests : StoreTestBase
{
    private static readonly string Native = RepoPaths.Of("data", "samples", "native");

    private static (decimal Sum, int Rows, string? Currency) SumColumn(string path, string column, string? currencyColumn = null)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!.Select(h => h.Trim('\uFEFF')).ToArray();
        var i = Array.IndexOf(header, column);
        var c = currencyColumn is null ? -1 : Array.IndexOf(header, currencyColumn);
        Assert.True(i >= 0, column);
        decimal sum = 0;
        var rows = 0;
        string? currency = null;
        while (!parser.EndOfData)
        {
            var f = parser.ReadFields()!;
            sum += f[i].Length == 0 ? 0m : decimal.Parse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture);
            currency ??= c >= 0 ? f[c] : null;
            rows++;
        }

        return (sum, rows, currency);
    }

    public static TheoryData<string, string, string, string?> Samples => new()
    {
        { "aws/sample-anonymous-aws-export-dataset.csv", "aws-cur", "lineItem/UnblendedCost", "lineItem/CurrencyCode" },
        { "oci/reports_cost-csv_0000000030000269.csv", "oci", "cost/myCost", "cost/currencyCode" },
        { "azure/EA_ActualCost_Small.csv", "azure-ea", "Cost", "BillingCurrency" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task A_real_native_export_loads_and_its_billed_total_equals_the_source_column(string file, string format, string costColumn, string? currencyColumn)
    {
        var path = Path.Combine(Native, file);
        var (expected, rows, currency) = SumColumn(path, costColumn, currencyColumn);
        var result = await new BillingImporter(Store).ImportAsync([path], new ImportOptions { RejectedDir = Path.Combine(DataDir, "rejected") });
        Assert.True(result.Committed, result.Message);
        var f = Assert.Single(result.Files);
        Assert.StartsWith(format, f.Format, StringComparison.Ordinal);
        Assert.Equal(rows, f.RowsLoaded);

        var range = await Store.GetDataRangeAsync([]);
        var answer = await new CostQueryService(Store).QueryAsync(new CostQuery { From = range.From!.Value, To = range.To!.Value }, CostScope.Everything);
        var total = Assert.Single(answer.Totals);
        // To the cent; beyond that the store keeps 15 decimal places (DECIMAL(38,15)), so each row may round by 0.5e-15.
        Assert.Equal(Math.Round(expected, 2), Math.Round(total.BilledCost, 2));
        Assert.True(Math.Abs(expected - total.BilledCost) <= rows * 0.0000000000000005m, $"{expected} vs {total.BilledCost}");
        Assert.Equal(rows, total.RowCount);
        if (currency is { Length: > 0 })
        {
            Assert.Equal(currency, total.Currency);
        }
    }

    [Fact]
    public async Task Source_format_overrides_detection_and_a_wrong_one_rejects_the_file_without_loading_anything()
    {
        var aws = Path.Combine(Native, "aws", "sample-anonymous-aws-export-dataset.csv");
        var wrong = await new BillingImporter(Store).ImportAsync([aws],
            new ImportOptions { RejectedDir = Path.Combine(DataDir, "rejected"), SourceFormat = SourceFormat.Oci });
        Assert.False(wrong.Committed);
        Assert.Equal(FileImportStatus.Rejected, Assert.Single(wrong.Files).Status);
        Assert.Equal(0, (await Store.GetInfoAsync()).VisibleRows);

        var right = await new BillingImporter(Store).ImportAsync([aws],
            new ImportOptions { RejectedDir = Path.Combine(DataDir, "rejected"), SourceFormat = SourceFormat.AwsCur });
        Assert.True(right.Committed, right.Message);
    }
}
