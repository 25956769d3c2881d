namespace Dwcp.Configuration.Tests;

/// <summary><c>analytics.anomalies.min_impact</c> and <c>min_share</c>: the cost-anomaly materiality floor.</summary>
public sealed class AnomalyMaterialityConfigTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_defaults_are_the_floor_of_10_and_a_tenth_of_a_day()
    {
        var c = _dir.Load().Config;

        Assert.Equal((10m, 0.10), (c.Anomalies.MinImpact, c.Anomalies.MinShare));
    }

    [Fact]
    public void The_file_sets_an_exact_amount_and_a_share()
    {
        _dir.Write("analytics:\n  anomalies:\n    min_impact: 0.35\n    min_share: 0.25\n");

        var loaded = _dir.Load();

        Assert.Equal((0.35m, 0.25), (loaded.Config.Anomalies.MinImpact, loaded.Config.Anomalies.MinShare));
        Assert.Equal(("dwcp.yaml:3", "dwcp.yaml:4"), (loaded.Sources["anomalies.min_impact"], loaded.Sources["anomalies.min_share"]));
    }

    [Theory]
    [InlineData("min_impact: -1", 3, "anomalies.min_impact", "between 0 and 1000000000000")]
    [InlineData("min_impact: lots", 3, "anomalies.min_impact", "is not a number")]
    [InlineData("min_share: 1.01", 3, "anomalies.min_share", "between 0 and 1")]
    [InlineData("min_share: -0.5", 3, "anomalies.min_share", "between 0 and 1")]
    public void An_out_of_range_floor_is_an_error_at_its_line_naming_the_key_and_range(string line, int lineNumber, string key, string range)
    {
        var error = _dir.FileFails($"analytics:\n  anomalies:\n    {line}\n");

        Assert.Equal((lineNumber, key), (error.Line, error.KeyPath));
        Assert.Contains("analytics." + key, error.Message, StringComparison.Ordinal);
        Assert.Contains(range, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_environment_variables_set_the_floor()
    {
        var c = _dir.Load(env: new() { ["DWCP_ANOMALIES_MIN_IMPACT"] = "3", ["DWCP_ANOMALIES_MIN_SHARE"] = "0" }).Config;

        Assert.Equal((3m, 0.0), (c.Anomalies.MinImpact, c.Anomalies.MinShare));
    }
}
