namespace Dwcp.Configuration.Tests;

/// <summary><c>analytics.anomalies.stream_multivariate</c> and <c>max_multivariate_metrics</c>: the live multivariate detector.</summary>
public sealed class AnomalyMultivariateConfigTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void By_default_the_multivariate_detector_is_on_with_16_metrics()
    {
        var loaded = _dir.Load();

        Assert.Equal((true, 16), (loaded.Config.Anomalies.StreamMultivariate, loaded.Config.Anomalies.MaxMultivariateMetrics));
        Assert.Equal("default", loaded.Sources["anomalies.max_multivariate_metrics"]);
    }

    [Fact]
    public void The_file_and_the_environment_set_it()
    {
        _dir.Write("analytics:\n  anomalies:\n    stream_multivariate: false\n    max_multivariate_metrics: 4\n");
        var fromFile = _dir.Load();
        Assert.Equal((false, 4), (fromFile.Config.Anomalies.StreamMultivariate, fromFile.Config.Anomalies.MaxMultivariateMetrics));
        Assert.Equal(("dwcp.yaml:3", "dwcp.yaml:4"), (fromFile.Sources["anomalies.stream_multivariate"], fromFile.Sources["anomalies.max_multivariate_metrics"]));

        var fromEnv = _dir.Load(env: new() { ["DWCP_ANOMALIES_STREAM_MULTIVARIATE"] = "true", ["DWCP_ANOMALIES_MAX_MULTIVARIATE_METRICS"] = "32" }).Config;
        Assert.Equal((true, 32), (fromEnv.Anomalies.StreamMultivariate, fromEnv.Anomalies.MaxMultivariateMetrics));
    }

    [Theory]
    [InlineData("max_multivariate_metrics: 1", "anomalies.max_multivariate_metrics", "from 2 to 32")]
    [InlineData("max_multivariate_metrics: 33", "anomalies.max_multivariate_metrics", "from 2 to 32")]
    [InlineData("stream_multivariate: maybe", "anomalies.stream_multivariate", "analytics.anomalies.stream_multivariate")]
    public void A_bad_value_is_an_error_at_its_line_naming_the_key(string line, string key, string expected)
    {
        var error = _dir.FileFails($"analytics:\n  anomalies:\n    {line}\n");

        Assert.Equal((3, key), (error.Line, error.KeyPath));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
