using Dwcp.Configuration;
using Dwcp.Cost.Anomalies;
using Dwcp.Server.Graph;

namespace Dwcp.Server.Tests;

/// <summary>The configured materiality floor reaches the server's own checks and GraphQL's defaults.</summary>
public sealed class AnomalyMaterialityWiringTests
{
    private static DwcpServerOptions Options(Dictionary<string, string?> environment) =>
        DwcpServerOptions.FromConfig(DwcpConfigLoader.Load(null, environment, new Dictionary<string, string>(), RepoPathsDir()));

    private static string RepoPathsDir() => Dwcp.Tests.RepoPaths.NewTempDir("dwcp-wiring");

    [Fact]
    public void The_configured_floor_becomes_the_checks_floor_and_the_default_of_omitted_arguments()
    {
        Assert.Equal(AnomalyMateriality.Default, Options([]).Anomalies.Materiality);
        var configured = Options(new() { ["DWCP_ANOMALIES_MIN_IMPACT"] = "1.5", ["DWCP_ANOMALIES_MIN_SHARE"] = "0" }).Anomalies.Materiality;
        Assert.Equal(new AnomalyMateriality(1.5m, 0), configured);

        // GraphQL: an omitted argument keeps the configured value; a given one wins.
        Assert.Equal(configured, AnomalyGraph.Materiality(null, null, configured));
        Assert.Equal(new AnomalyMateriality(7m, 0), AnomalyGraph.Materiality(7m, null, configured));
        Assert.Equal(new AnomalyMateriality(1.5m, 0.3), AnomalyGraph.Materiality(null, 0.3, configured));
    }
}
