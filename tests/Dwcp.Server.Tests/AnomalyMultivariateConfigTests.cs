using Dwcp.Configuration;

namespace Dwcp.Server.Tests;

/// <summary><c>analytics.anomalies.stream_multivariate</c> and <c>max_multivariate_metrics</c> reach the live alert options of <c>dwcp serve</c>.</summary>
public sealed class AnomalyMultivariateConfigTests
{
    private static DwcpServerOptions Options(Dictionary<string, string?> environment) =>
        DwcpServerOptions.FromConfig(DwcpConfigLoader.Load(null, environment, new Dictionary<string, string>(), Dwcp.Tests.RepoPaths.NewTempDir("dwcp-multivariate")));

    [Fact]
    public void The_configured_multivariate_settings_become_the_alert_options()
    {
        var defaults = Options([]).Anomalies;
        var built = new AnomalyAlertOptions();
        Assert.Equal((built.StreamMultivariate, built.MaxMultivariateMetrics), (defaults.StreamMultivariate, defaults.MaxMultivariateMetrics));

        var configured = Options(new() { ["DWCP_ANOMALIES_STREAM_MULTIVARIATE"] = "false", ["DWCP_ANOMALIES_MAX_MULTIVARIATE_METRICS"] = "5" }).Anomalies;

        Assert.Equal((false, 5), (configured.StreamMultivariate, configured.MaxMultivariateMetrics));
    }
}
