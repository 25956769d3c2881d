using System.Reflection;
using Dwcp.Core.Focus;

namespace Dwcp.Core.Tests;

/// <summary>The generated typed properties of <see cref="FocusRow"/> and the typed slot arrays behind them.</summary>
public sealed class FocusRowTests
{
    private static readonly DateTime Base = new(2024, 9, 1, 0, 0, 0, DateTimeKind.Utc);

    private static PropertyInfo Property(FocusColumn column) =>
        typeof(FocusRow).GetProperty(column.Name, BindingFlags.Public | BindingFlags.Instance)
        ?? throw new InvalidOperationException($"FocusRow has no property {column.Name}.");

    /// <summary>A value unique to the column, of the column's CLR type.</summary>
    private static object DistinctValue(FocusColumn column, int salt) => column.DataType switch
    {
        FocusDataType.Decimal => column.Ordinal + 0.5m + (salt * 1000m),
        FocusDataType.DateTime => Base.AddHours(column.Ordinal + (salt * 1000)),
        _ => $"v{salt}-{column.Name}",
    };

    [Fact]
    public void Every_column_has_a_public_property_of_its_data_type()
    {
        foreach (var c in FocusColumns.All)
        {
            var p = Property(c);
            var expected = c.DataType switch
            {
                FocusDataType.Decimal => typeof(decimal?),
                FocusDataType.DateTime => typeof(DateTime?),
                _ => typeof(string),
            };
            Assert.Equal(expected, p.PropertyType);
            Assert.True(p.CanRead && p.CanWrite, c.Name);
        }
    }

    [Fact]
    public void Every_property_writes_the_slot_its_column_names()
    {
        var row = new FocusRow();
        foreach (var c in FocusColumns.All)
        {
            Property(c).SetValue(row, DistinctValue(c, 1));
        }

        // Read back only after every property was set: two properties sharing a slot would show here.
        foreach (var c in FocusColumns.All)
        {
            Assert.Equal(DistinctValue(c, 1), row.GetValue(c));
        }

        Assert.All(row.Strings, v => Assert.NotNull(v));
        Assert.All(row.Decimals, v => Assert.NotNull(v));
        Assert.All(row.DateTimes, v => Assert.NotNull(v));
    }

    [Fact]
    public void Every_property_reads_the_slot_its_column_names()
    {
        var row = new FocusRow();
        foreach (var c in FocusColumns.All)
        {
            var v = DistinctValue(c, 2);
            switch (c.DataType)
            {
                case FocusDataType.Decimal:
                    row.Decimals[c.Slot] = (decimal)v;
                    break;
                case FocusDataType.DateTime:
                    row.DateTimes[c.Slot] = (DateTime)v;
                    break;
                default:
                    row.Strings[c.Slot] = (string)v;
                    break;
            }
        }

        foreach (var c in FocusColumns.All)
        {
            Assert.Equal(DistinctValue(c, 2), Property(c).GetValue(row));
        }
    }

    [Fact]
    public void Setting_a_property_to_null_clears_only_its_own_slot()
    {
        foreach (var cleared in FocusColumns.All)
        {
            var row = new FocusRow();
            foreach (var c in FocusColumns.All)
            {
                Property(c).SetValue(row, DistinctValue(c, 3));
            }

            Property(cleared).SetValue(row, null);
            foreach (var c in FocusColumns.All)
            {
                Assert.Equal(c == cleared ? null : DistinctValue(c, 3), row.GetValue(c));
            }
        }
    }

    [Fact]
    public void A_new_row_has_every_column_null_and_no_extensions_or_tags()
    {
        var row = new FocusRow();
        Assert.All(FocusColumns.All, c => Assert.Null(row.GetValue(c)));
        Assert.Empty(row.Extensions);
        Assert.Empty(row.NormalizedTags);
        Assert.Null(row.SourceFile);
        Assert.Equal(0, row.SourceLine);
    }

    [Fact]
    public void Named_properties_address_the_expected_columns()
    {
        // A few spot checks written out by hand, independent of the reflection above.
        var row = new FocusRow
        {
            BilledCost = 1.25m,
            EffectiveCost = 2.5m,
            ListCost = 5m,
            BillingCurrency = "EUR",
            ChargePeriodStart = Base,
            Tags = "{\"a\":\"b\"}",
            SkuPriceDetails = "{}",
        };
        Assert.Equal(1.25m, row.GetValue(FocusColumns.Get("BilledCost")));
        Assert.Equal(2.5m, row.GetValue(FocusColumns.Get("EffectiveCost")));
        Assert.Equal(5m, row.GetValue(FocusColumns.Get("ListCost")));
        Assert.Equal("EUR", row.GetValue(FocusColumns.Get("BillingCurrency")));
        Assert.Equal(Base, row.GetValue(FocusColumns.Get("ChargePeriodStart")));
        Assert.Null(row.GetValue(FocusColumns.Get("ChargePeriodEnd")));
        Assert.Equal("{\"a\":\"b\"}", row.GetValue(FocusColumns.Get("Tags")));
        Assert.Equal("{}", row.GetValue(FocusColumns.Get("SkuPriceDetails")));
    }

    [Fact]
    public void GetValue_of_null_throws_ArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => new FocusRow().GetValue(null!));
    }
}
