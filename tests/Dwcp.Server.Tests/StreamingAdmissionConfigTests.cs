using Dwcp.Configuration;

namespace Dwcp.Server.Tests;

/// <summary><c>analytics.streaming.admission_*_ms</c> reach the engine configuration of <c>dwcp serve</c>.</summary>
public sealed class StreamingAdmissionConfigTests
{
    private static DwcpServerOptions Options(Dictionary<string, string?> environment) =>
        DwcpServerOptions.FromConfig(DwcpConfigLoader.Load(null, environment, new Dictionary<string, string>(), Dwcp.Tests.RepoPaths.NewTempDir("dwcp-admission")));

    [Fact]
    public void The_configured_pacing_becomes_the_engines_AdmissionQueueDelay_and_AdmissionMaxWait()
    {
        var defaults = Options([]).Streaming;
        var engineDefaults = new Dwcp.Streaming.StreamingConfig();
        Assert.Equal((engineDefaults.AdmissionQueueDelay, engineDefaults.AdmissionMaxWait), (defaults.AdmissionQueueDelay, defaults.AdmissionMaxWait));

        var configured = Options(new() { ["DWCP_STREAMING_ADMISSION_QUEUE_DELAY_MS"] = "0", ["DWCP_STREAMING_ADMISSION_MAX_WAIT_MS"] = "2500" }).Streaming;

        Assert.Equal((TimeSpan.Zero, TimeSpan.FromMilliseconds(2500)), (configured.AdmissionQueueDelay, configured.AdmissionMaxWait));
        configured.Validate(); // the engine accepts what the configuration allows
    }
}
