using Dwcp.Core.Costs;
using Dwcp.Cost.Currency;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests;

/// <summary>Rate files: both layouts, the rate rule, errors with their place, and merging imports into a data folder.</summary>
public sealed class ExchangeRateFileTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-fx");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Reads_the_ECB_layout_with_its_trailing_comma_and_NA_values()
    {
        var rates = ExchangeRateCsv.Read(new StringReader("Date,USD,JPY,CYP,\n2024-01-03,1.0919,155.52,N/A,\n2024-01-02,1.0956,155.73,,\n"), "ecb.csv");
        Assert.Equal(
            [
                new ExchangeRate(new(2024, 1, 3), "EUR", "USD", 1.0919m), new ExchangeRate(new(2024, 1, 3), "EUR", "JPY", 155.52m),
                new ExchangeRate(new(2024, 1, 2), "EUR", "USD", 1.0956m), new ExchangeRate(new(2024, 1, 2), "EUR", "JPY", 155.73m),
            ],
            rates);
    }

    [Fact]
    public void Reads_the_long_layout()
    {
        var rates = ExchangeRateCsv.Read(new StringReader("date,base,quote,rate\n2024-01-02,usd,chf,0.85\n"), "long.csv");
        Assert.Equal([new ExchangeRate(new(2024, 1, 2), "USD", "CHF", 0.85m)], rates);
    }

    [Theory]
    [InlineData("", 1, null, "empty")]
    [InlineData("when,USD\n", 1, null, "Unrecognised header")]
    [InlineData("Date,USD\n2024-01-02,1.09\n2024/01/03,1.10\n", 3, "date", "YYYY-MM-DD")]
    [InlineData("Date,USD\n2024-01-02,1,09\n", 2, "USD", null)]
    [InlineData("Date,USD\n2024-01-02,abc\n", 2, "USD", "positive number")]
    [InlineData("Date,USD\n2024-01-02,-1.2\n", 2, "USD", "positive number")]
    [InlineData("Date,US DOLLAR\n", 1, "header column 2", "ISO 4217")]
    [InlineData("date,base,quote,rate\n2024-01-02,EUR,USD\n", 2, null, "4 fields")]
    public void A_bad_file_names_its_line_and_column(string text, long line, string? column, string? words)
    {
        var ex = Assert.Throws<ExchangeRateFormatException>(() => ExchangeRateCsv.Read(new StringReader(text), "rates.csv"));
        Assert.Equal(line, ex.Line);
        Assert.Equal(column, ex.Column);
        Assert.StartsWith($"rates.csv:{line}", ex.Message, StringComparison.Ordinal);
        if (words is not null)
        {
            Assert.Contains(words, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_rule_uses_direct_then_inverse_then_cross_rates_and_borrows_at_most_seven_days_back()
    {
        var t = new ExchangeRateTable(
        [
            new(new(2024, 1, 5), "EUR", "USD", 1.10m),
            new(new(2024, 1, 5), "EUR", "GBP", 0.88m),
            new(new(2024, 1, 5), "USD", "JPY", 145m),
        ]);
        Assert.Equal(1.10m, t.Find("EUR", "USD", new(2024, 1, 5))!.Rate);
        Assert.Equal(1m / 1.10m, t.Find("USD", "EUR", new(2024, 1, 5))!.Rate);
        var cross = t.Find("GBP", "USD", new(2024, 1, 7))!;
        Assert.Equal((1.10m / 0.88m, "EUR", new DateOnly(2024, 1, 5)), (cross.Rate, cross.Via, cross.RateDate));
        Assert.Equal(1m, t.Find("CHF", "chf", new(1999, 1, 1))!.Rate);
        Assert.NotNull(t.Find("EUR", "USD", new(2024, 1, 12)));
        Assert.Null(t.Find("EUR", "USD", new(2024, 1, 13)));
        Assert.Null(t.Find("EUR", "USD", new(2024, 1, 4)));
        Assert.Null(t.Find("EUR", "CHF", new(2024, 1, 5)));
    }

    [Fact]
    public void Imports_merge_into_the_data_folder_and_a_bad_file_changes_nothing()
    {
        var store = new ExchangeRateStore(_dir);
        Assert.Equal(0, store.Current.Count);
        var first = store.Import(Write("a.csv", "Date,USD,GBP,\n2024-01-03,1.09,0.86,\n2024-01-02,1.10,0.87,\n"));
        Assert.Equal(new ExchangeRateImport(4, 4, 0, 0, 4, new(2024, 1, 2), new(2024, 1, 3)), first);
        var second = store.Import(Write("b.csv", "date,base,quote,rate\n2024-01-03,EUR,USD,1.09\n2024-01-02,EUR,USD,1.11\n2024-01-04,EUR,USD,1.08\n"));
        Assert.Equal(new ExchangeRateImport(3, 1, 1, 1, 5, new(2024, 1, 2), new(2024, 1, 4)), second);
        Assert.Equal(1.11m, new ExchangeRateStore(_dir).Current.Find("EUR", "USD", new(2024, 1, 2))!.Rate);

        var before = File.ReadAllText(store.FilePath);
        Assert.Throws<ExchangeRateFormatException>(() => store.Import(Write("bad.csv", "Date,USD\n2024-01-05,1.07\n2024-01-06,x\n")));
        Assert.Equal(before, File.ReadAllText(store.FilePath));
        Assert.Equal(5, store.Current.Count);
    }
}
