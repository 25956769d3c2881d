using System.Reflection;
using Dwcp.Core.Focus;

namespace Dwcp.Core.Tests;

/// <summary>The FOCUS 1.2 column catalogue, checked against the tables of docs/focus-columns.md.</summary>
public sealed class FocusColumnsTests
{

    private static FocusDataType DocType(string text) => text switch
    {
        "String" => FocusDataType.String,
        "Decimal" => FocusDataType.Decimal,
        "Date/Time" => FocusDataType.DateTime,
        "JSON" => FocusDataType.Json,
        _ => throw new InvalidOperationException($"Unknown data type '{text}' in the docs."),
    };

    private static bool DocBool(string text) => text switch
    {
        "True" => true,
        "False" => false,
        _ => throw new InvalidOperationException($"Unknown boolean '{text}' in the docs."),
    };

    private static FocusFeatureLevel DocLevel(string text) => text switch
    {
        "Mandatory" => FocusFeatureLevel.Mandatory,
        "Conditional" => FocusFeatureLevel.Conditional,
        "Recommended" => FocusFeatureLevel.Recommended,
        _ => throw new InvalidOperationException($"Unknown feature level '{text}' in the docs."),
    };

    [Fact]
    public void The_docs_list_57_columns_of_which_21_are_mandatory_in_v1_2()
    {
        Assert.Equal(57, FocusColumnsDoc.AllColumns.Count);
        Assert.Equal(21, FocusColumnsDoc.AllColumns.Count(r => r["v1.2"] == "Mandatory"));
        Assert.Equal(21, FocusColumnsDoc.MandatoryV12.Count);
    }

    [Fact]
    public void The_catalogue_has_57_columns_and_21_mandatory_ones()
    {
        Assert.Equal(57, FocusColumns.Count);
        Assert.Equal(57, FocusColumns.All.Count);
        Assert.Equal(21, FocusColumns.Mandatory.Count);
        Assert.All(FocusColumns.Mandatory, c => Assert.True(c.IsMandatory));
        Assert.Equal(
            FocusColumns.All.Where(c => c.Level == FocusFeatureLevel.Mandatory).Select(c => c.Name),
            FocusColumns.Mandatory.Select(c => c.Name));
    }

    [Fact]
    public void Column_names_and_their_order_agree_with_the_docs()
    {
        Assert.Equal(FocusColumnsDoc.AllColumns.Select(r => r["Column ID"]), FocusColumns.All.Select(c => c.Name));
    }

    [Fact]
    public void Data_types_agree_with_the_docs_for_every_column()
    {
        var doc = FocusColumnsDoc.AllColumns.ToDictionary(r => r["Column ID"], StringComparer.Ordinal);
        Assert.All(FocusColumns.All, c => Assert.True(
            DocType(doc[c.Name]["Data type"]) == c.DataType,
            $"{c.Name}: docs say {doc[c.Name]["Data type"]}, the catalogue says {c.DataType}"));
    }

    [Fact]
    public void V1_2_feature_levels_agree_with_the_docs_for_every_column()
    {
        var doc = FocusColumnsDoc.AllColumns.ToDictionary(r => r["Column ID"], StringComparer.Ordinal);
        Assert.All(FocusColumns.All, c => Assert.True(
            DocLevel(doc[c.Name]["v1.2"]) == c.Level,
            $"{c.Name}: docs say {doc[c.Name]["v1.2"]}, the catalogue says {c.Level}"));
    }

    [Fact]
    public void Nullability_agrees_with_the_docs()
    {
        var doc = FocusColumnsDoc.AllColumns.ToDictionary(r => r["Column ID"], StringComparer.Ordinal);
        var compared = FocusColumns.All.ToList();
        Assert.Equal(57, compared.Count);
        Assert.All(compared, c => Assert.True(
            DocBool(doc[c.Name]["Allows nulls"]) == c.AllowsNulls,
            $"{c.Name}: docs say Allows nulls = {doc[c.Name]["Allows nulls"]}, the catalogue says {c.AllowsNulls}"));
    }

    [Fact]
    public void The_mandatory_columns_agree_with_the_v1_2_mandatory_table_of_the_docs()
    {
        var doc = FocusColumnsDoc.MandatoryV12;
        Assert.Equal(doc.Select(r => r["Column ID"]), FocusColumns.Mandatory.Select(c => c.Name));
        foreach (var (row, column) in doc.Zip(FocusColumns.Mandatory))
        {
            Assert.Equal(DocType(row["Data type"]), column.DataType);
            Assert.Equal(DocBool(row["Allows nulls"]), column.AllowsNulls);
        }
    }

    [Fact]
    public void The_version_a_column_was_introduced_in_agrees_with_the_docs()
    {
        // The catalogue folds everything up to 1.0 into "1.0"; later versions are kept as they are.
        var doc = FocusColumnsDoc.AllColumns.ToDictionary(r => r["Column ID"], StringComparer.Ordinal);
        foreach (var c in FocusColumns.All)
        {
            var row = doc[c.Name];
            var expected = row["Introduced"] switch
            {
                "0.5" or "1.0-preview" or "1.0" => "1.0",
                var v => v,
            };
            Assert.True(expected == c.Introduced, $"{c.Name}: docs say {row["Introduced"]}, the catalogue says {c.Introduced}");

            // A column absent ("—") from a version's column must have been introduced after that version.
            Assert.Equal(row["v1.0"] == "—", string.CompareOrdinal(c.Introduced, "1.0") > 0);
            Assert.Equal(row["v1.1"] == "—", string.CompareOrdinal(c.Introduced, "1.1") > 0);
        }
    }

    [Fact]
    public void Ordinals_are_positions_in_All_and_match_the_generated_constants()
    {
        for (var i = 0; i < FocusColumns.All.Count; i++)
        {
            Assert.Equal(i, FocusColumns.All[i].Ordinal);
        }

        var constants = typeof(FocusColumns).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.EndsWith("Ordinal", StringComparison.Ordinal))
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!, StringComparer.Ordinal);
        Assert.Equal(57, constants.Count);
        Assert.All(FocusColumns.All, c => Assert.Equal(c.Ordinal, constants[c.Name + "Ordinal"]));
    }

    [Fact]
    public void Columns_are_in_ordinal_alphabetical_order_with_unique_names()
    {
        var names = FocusColumns.All.Select(c => c.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(57, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Slots_are_unique_and_dense_per_value_array()
    {
        // String and JSON columns share the string array; decimals and date-times have their own.
        var strings = FocusColumns.All.Where(c => c.DataType is FocusDataType.String or FocusDataType.Json).Select(c => c.Slot).ToList();
        var decimals = FocusColumns.All.Where(c => c.DataType == FocusDataType.Decimal).Select(c => c.Slot).ToList();
        var dateTimes = FocusColumns.All.Where(c => c.DataType == FocusDataType.DateTime).Select(c => c.Slot).ToList();

        Assert.Equal(Enumerable.Range(0, strings.Count), strings.Order());
        Assert.Equal(Enumerable.Range(0, decimals.Count), decimals.Order());
        Assert.Equal(Enumerable.Range(0, dateTimes.Count), dateTimes.Order());

        // Counted by hand from the docs table: 39 String + 2 JSON, 12 Decimal, 4 Date/Time.
        Assert.Equal(41, strings.Count);
        Assert.Equal(12, decimals.Count);
        Assert.Equal(4, dateTimes.Count);

        var row = new FocusRow();
        Assert.Equal(strings.Count, row.Strings.Length);
        Assert.Equal(decimals.Count, row.Decimals.Length);
        Assert.Equal(dateTimes.Count, row.DateTimes.Length);
    }

    [Theory]
    [InlineData("BilledCost")]
    [InlineData("billedcost")]
    [InlineData("BILLEDCOST")]
    [InlineData("  BilledCost  ")]
    [InlineData("\tbilledCost\r\n")]
    public void TryFind_ignores_case_and_surrounding_whitespace(string name)
    {
        Assert.True(FocusColumns.TryFind(name, out var column));
        Assert.Equal("BilledCost", column.Name);
        Assert.Same(FocusColumns.All[1], column);
        Assert.Same(column, FocusColumns.Get(name));
    }

    [Fact]
    public void TryFind_finds_every_column_by_its_own_name_in_any_case()
    {
        foreach (var c in FocusColumns.All)
        {
            Assert.True(FocusColumns.TryFind(c.Name.ToUpperInvariant(), out var upper));
            Assert.Same(c, upper);
            Assert.True(FocusColumns.TryFind(" " + c.Name.ToLowerInvariant() + " ", out var lower));
            Assert.Same(c, lower);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Id")]
    [InlineData("x_CostCenter")]
    [InlineData("Billed Cost")]
    [InlineData("BilledCosts")]
    public void TryFind_refuses_names_that_are_not_FOCUS_1_2_columns(string name)
    {
        Assert.False(FocusColumns.TryFind(name, out _));
        var ex = Assert.Throws<KeyNotFoundException>(() => FocusColumns.Get(name));
        Assert.Contains($"'{name}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryFind_of_null_throws_ArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => FocusColumns.TryFind(null!, out _));
    }
}
