using Dwcp.Core.Costs;

namespace Dwcp.Core.Tests;

/// <summary>The measures and savings of <see cref="CostLine"/> and <see cref="CurrencyTotal"/>.</summary>
public sealed class CostFiguresTests
{
    private static CostLine Line(decimal billed, decimal effective, decimal list) =>
        new(null, ["svc"], "USD", billed, effective, list, null, null, 3);

    [Theory]
    [InlineData("10", "7.25", "12.5", "5.25")]
    [InlineData("0", "0", "0", "0")]
    [InlineData("1", "3", "2", "-1")]
    [InlineData("-4", "-4", "-1.5", "2.5")]
    [InlineData("0.000000000000001", "0.000000000000001", "0.000000000000003", "0.000000000000002")]
    public void Savings_is_list_minus_effective(string billed, string effective, string list, string savings)
    {
        var b = decimal.Parse(billed, System.Globalization.CultureInfo.InvariantCulture);
        var e = decimal.Parse(effective, System.Globalization.CultureInfo.InvariantCulture);
        var l = decimal.Parse(list, System.Globalization.CultureInfo.InvariantCulture);
        var s = decimal.Parse(savings, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(s, Line(b, e, l).Savings);
        Assert.Equal(s, new CurrencyTotal("USD", b, e, l, 1).Savings);
    }

    [Fact]
    public void CostLine_Get_returns_the_column_of_each_measure()
    {
        var line = Line(1.5m, 2.25m, 4m);
        Assert.Equal(1.5m, line.Get(CostMeasure.Billed));
        Assert.Equal(2.25m, line.Get(CostMeasure.Effective));
        Assert.Equal(4m, line.Get(CostMeasure.List));
    }

    [Fact]
    public void CurrencyTotal_Get_returns_the_column_of_each_measure()
    {
        var total = new CurrencyTotal("EUR", 10m, 20m, 40m, 7);
        Assert.Equal(10m, total.Get(CostMeasure.Billed));
        Assert.Equal(20m, total.Get(CostMeasure.Effective));
        Assert.Equal(40m, total.Get(CostMeasure.List));
    }

    [Fact]
    public void Get_covers_every_measure_with_a_different_value()
    {
        var line = Line(1m, 2m, 3m);
        var total = new CurrencyTotal("USD", 1m, 2m, 3m, 1);
        var fromLine = Enum.GetValues<CostMeasure>().Select(line.Get).ToList();
        var fromTotal = Enum.GetValues<CostMeasure>().Select(total.Get).ToList();
        Assert.Equal(Enum.GetValues<CostMeasure>().Length, fromLine.Distinct().Count());
        Assert.Equal(fromLine, fromTotal);
    }

    [Fact]
    public void A_line_is_not_Other_unless_said_so()
    {
        Assert.False(Line(1m, 1m, 1m).IsOther);
        Assert.True((Line(1m, 1m, 1m) with { IsOther = true }).IsOther);
    }

    [Fact]
    public void A_tag_grouping_prints_as_tag_colon_key_and_others_as_their_dimension()
    {
        Assert.Equal("tag:Department", CostGrouping.ForTag("Department").ToString());
        Assert.Equal("Service", new CostGrouping(CostDimension.Service).ToString());
        Assert.Equal(new CostGrouping(CostDimension.Tag, "Env"), CostGrouping.ForTag("Env"));
    }
}
