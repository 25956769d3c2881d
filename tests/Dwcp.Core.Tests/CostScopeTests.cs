using Dwcp.Core.Costs;

namespace Dwcp.Core.Tests;

/// <summary>The scope syntax <c>account=A|B;tag:Key=V1|V2</c>.</summary>
public sealed class CostScopeTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("*")]
    [InlineData("  *  ")]
    public void Empty_or_star_is_everything(string? text)
    {
        var scope = CostScope.Parse(text);
        Assert.Same(CostScope.Everything, scope);
        Assert.True(scope.IsUnrestricted);
        Assert.Null(scope.BillingAccounts);
        Assert.Empty(scope.TagValues);
        Assert.Equal("*", scope.ToString());
    }

    [Fact]
    public void A_new_scope_is_unrestricted_and_prints_as_star()
    {
        Assert.True(new CostScope().IsUnrestricted);
        Assert.Equal("*", new CostScope().ToString());
    }

    [Fact]
    public void Parses_a_list_of_accounts()
    {
        var scope = CostScope.Parse("account=A|B|C");
        Assert.False(scope.IsUnrestricted);
        Assert.Equal(new[] { "A", "B", "C" }, scope.BillingAccounts!.Order(StringComparer.Ordinal));
        Assert.Empty(scope.TagValues);
    }

    [Fact]
    public void Parses_an_account_and_tag_scope()
    {
        var scope = CostScope.Parse("account=111|222;tag:Department=Eng|Ops");
        Assert.Equal(new[] { "111", "222" }, scope.BillingAccounts!.Order(StringComparer.Ordinal));
        var tag = Assert.Single(scope.TagValues);
        Assert.Equal("Department", tag.Key);
        Assert.Equal(new[] { "Eng", "Ops" }, tag.Value.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parses_several_tags_without_restricting_accounts()
    {
        var scope = CostScope.Parse("tag:Team=Core;tag:Env=prod|staging;tag:CostCenter=CC-1");
        Assert.Null(scope.BillingAccounts);
        Assert.False(scope.IsUnrestricted);
        Assert.Equal(new[] { "CostCenter", "Env", "Team" }, scope.TagValues.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "prod", "staging" }, scope.TagValues["Env"].Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "Core" }, scope.TagValues["Team"]);
        Assert.Equal(new[] { "CC-1" }, scope.TagValues["CostCenter"]);
    }

    [Fact]
    public void Spaces_around_parts_keys_and_values_are_trimmed_and_empty_parts_ignored()
    {
        var scope = CostScope.Parse(" ; account = A | B ;; tag: Department = Eng | Ops ; ");
        Assert.Equal(new[] { "A", "B" }, scope.BillingAccounts!.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "Department" }, scope.TagValues.Keys);
        Assert.Equal(new[] { "Eng", "Ops" }, scope.TagValues["Department"].Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_keys_account_and_tag_are_case_insensitive_but_tag_names_and_values_keep_their_case()
    {
        var scope = CostScope.Parse("ACCOUNT=a1;TAG:department=eng");
        Assert.Equal(new[] { "a1" }, scope.BillingAccounts);
        Assert.Equal("department", Assert.Single(scope.TagValues).Key);
        Assert.Equal(new[] { "eng" }, scope.TagValues["department"]);
        Assert.False(scope.TagValues.ContainsKey("Department"));
    }

    [Fact]
    public void Duplicate_values_collapse_into_one()
    {
        var scope = CostScope.Parse("account=A|A|B");
        Assert.Equal(2, scope.BillingAccounts!.Count);
    }

    [Fact]
    public void ToString_writes_accounts_then_tags_sorted_ordinally()
    {
        var scope = CostScope.Parse("tag:Team=b|a;account=Z|B|a;tag:Env=prod");
        Assert.Equal("account=B|Z|a;tag:Env=prod;tag:Team=a|b", scope.ToString());
    }

    [Theory]
    [InlineData("account=A")]
    [InlineData("account=A|B|C")]
    [InlineData("tag:Department=Eng")]
    [InlineData("account=1234567890123|20209880;tag:Department=Eng|Ops;tag:Env=prod")]
    [InlineData("tag:cost center=Q/A|R&D")]
    public void ToString_and_Parse_round_trip(string text)
    {
        var scope = CostScope.Parse(text);
        Assert.Equal(text, scope.ToString());
        var again = CostScope.Parse(scope.ToString());
        Assert.Equal(scope.BillingAccounts?.Order(StringComparer.Ordinal), again.BillingAccounts?.Order(StringComparer.Ordinal));
        Assert.Equal(scope.TagValues.Keys.Order(StringComparer.Ordinal), again.TagValues.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, values) in scope.TagValues)
        {
            Assert.Equal(values.Order(StringComparer.Ordinal), again.TagValues[key].Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void A_scope_built_in_code_round_trips_through_its_text()
    {
        var scope = new CostScope
        {
            BillingAccounts = new HashSet<string>(["acc-2", "acc-1"], StringComparer.Ordinal),
            TagValues = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
            {
                ["Owner"] = new HashSet<string>(["zoe", "adam"], StringComparer.Ordinal),
            },
        };
        Assert.Equal("account=acc-1|acc-2;tag:Owner=adam|zoe", scope.ToString());
        Assert.Equal(scope.ToString(), CostScope.Parse(scope.ToString()).ToString());
    }

    [Theory]
    [InlineData("account", "account")]
    [InlineData("=A", "=A")]
    [InlineData("account=", "account=")]
    [InlineData("account=A;tag:Department", "tag:Department")]
    [InlineData("tag:Department=", "tag:Department=")]
    public void A_part_without_key_or_value_is_a_format_error_naming_the_part(string text, string part)
    {
        var ex = Assert.Throws<FormatException>(() => CostScope.Parse(text));
        Assert.Contains($"'{part}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("account=A|B or tag:Key=V1|V2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("region=eu-west-1", "region")]
    [InlineData("accounts=A", "accounts")]
    [InlineData("tag:=Eng", "tag:")]
    [InlineData("tags:Department=Eng", "tags:Department")]
    [InlineData("account=A;provider=AWS", "provider")]
    public void An_unknown_key_is_a_format_error_naming_the_key_and_the_valid_ones(string text, string key)
    {
        var ex = Assert.Throws<FormatException>(() => CostScope.Parse(text));
        Assert.Contains($"'{key}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'account'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'tag:<Key>'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("account=|")]
    [InlineData("tag:Department=|")]
    [InlineData("account=A;account=B")]
    [InlineData("tag:Env=prod;tag:Env=dev")]
    public void Empty_or_repeated_parts_are_refused(string text)
    {
        var ex = Assert.Throws<FormatException>(() => CostScope.Parse(text));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }
}
