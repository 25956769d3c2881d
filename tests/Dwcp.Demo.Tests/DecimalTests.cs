using Dwcp.Demo.Generation;

namespace Dwcp.Demo.Tests;

public sealed class DecimalTests
{
    [Theory]
    [InlineData("61.97601600", "61.976016")]
    [InlineData("24.00", "24")]
    [InlineData("-2500.00", "-2500")]
    [InlineData("0.0000", "0")]
    [InlineData("0.0000166667", "0.0000166667")]
    [InlineData("123456789012.1234567890", "123456789012.123456789")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("7.9228162514264337593543950330", "7.922816251426433759354395033")]
    public void Trimming_trailing_zeros_keeps_the_value_and_drops_only_the_zeros(string input, string expected)
    {
        var value = decimal.Parse(input, System.Globalization.CultureInfo.InvariantCulture);

        var trimmed = RowFactory.TrimZeros(value);

        Assert.Equal(value, trimmed);
        Assert.Equal(expected, trimmed.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(1.2345678, 4, "1.2346")]
    [InlineData(2.5, 0, "2")]
    [InlineData(3.5, 0, "4")]
    [InlineData(-0.125, 2, "-0.12")]
    [InlineData(123456789.987654321, 2, "123456789.99")]
    public void Quantizing_a_double_rounds_half_to_even_at_the_given_places(double value, int decimals, string expected)
    {
        Assert.Equal(expected, Quantities.Quantize(value, decimals).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
