using Dwcp.Tests;

namespace Dwcp.Cli.Tests;

/// <summary>Option values that used to be taken silently (a fractional season, a period of 1, an fp-rate of NaN) are
/// usage errors (exit 2) that name the option and say what to write; nested commands point at their own help.</summary>
public sealed class OptionValidationTests
{
    private static (string Dir, string Long, string Series) Inputs()
    {
        var dir = RepoPaths.NewTempDir("dwcp-cli-options");
        var longCsv = Path.Combine(dir, "long.csv");
        File.WriteAllText(longCsv, "series_id,timestamp,value\na,2024-01-01T00:00:00Z,1\na,2024-01-01T01:00:00Z,2\na,2024-01-01T02:00:00Z,3\n");
        var series = Path.Combine(dir, "series.csv");
        File.WriteAllText(series, "timestamp,value\n2024-01-01T00:00:00Z,1\n2024-01-01T01:00:00Z,2\n2024-01-01T02:00:00Z,3\n");
        return (dir, longCsv, series);
    }

    [Theory]
    [InlineData("24.7", "'24.7' is not a whole number")]
    [InlineData("0", "'0' is not a whole number")]
    [InlineData("24,1", "'1' is not a whole number")]
    public void A_season_that_is_not_a_whole_number_of_two_or_more_steps_is_a_usage_error(string season, string message)
    {
        var (dir, input, _) = Inputs();
        var output = Path.Combine(dir, "out.csv");
        var r = CliRunner.Run(dir, "forecast", "--input", input, "--horizon", "2", "--season", season, "--output", output);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.Contains("--season", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("0.8,0.95", "did you mean --levels 80,95?")]
    [InlineData("80,0.5", "did you mean --levels 80,50?")]
    public void Fractional_levels_are_a_usage_error_that_suggests_percentages(string levels, string message)
    {
        var (dir, input, _) = Inputs();
        var output = Path.Combine(dir, "out.csv");
        var r = CliRunner.Run(dir, "forecast", "--input", input, "--horizon", "2", "--levels", levels, "--output", output);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("--period", "1", "--period 1 is not a seasonal period")]
    [InlineData("--period", "-3", "--period -3 is not a seasonal period")]
    [InlineData("--fp-rate", "NaN", "--fp-rate NaN must be between 0 and 1")]
    [InlineData("--fp-rate", "1", "--fp-rate 1 must be between 0 and 1")]
    public void A_detect_option_out_of_range_is_a_usage_error_without_dotnet_parameter_text(string option, string value, string message)
    {
        var (dir, _, input) = Inputs();
        var output = Path.Combine(dir, "scores.csv");
        var r = CliRunner.Run(dir, "detect", "--input", input, "--output", output, option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_parse_error_in_a_nested_command_points_at_that_command_s_help()
    {
        var r = CliRunner.Run(null, "anomalies", "feedback", "x", "--kind", "wrong");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Run 'dwcp anomalies feedback --help' for usage.", r.Err, StringComparison.Ordinal);
    }
}
