namespace Dwcp.Configuration.Tests;

/// <summary><c>analytics.streaming.admission_queue_delay_ms</c> and <c>admission_max_wait_ms</c>: the engine's admission pacing.</summary>
public sealed class AdmissionPacingConfigTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_defaults_are_the_engines_own_50_ms_target_and_1_s_wait()
    {
        var c = _dir.Load().Config;

        // Dwcp.Configuration does not reference the engine: its defaults (StreamingConfig, 50 ms and 1 s) are written here.
        Assert.Equal((50, 1000), (c.Streaming.AdmissionQueueDelayMs, c.Streaming.AdmissionMaxWaitMs));
    }

    [Fact]
    public void The_file_sets_both_next_to_the_other_streaming_keys_and_records_their_lines()
    {
        _dir.Write("analytics:\n  streaming:\n    buffer_size: 500\n    admission_queue_delay_ms: 0\n    admission_max_wait_ms: 250\n");

        var loaded = _dir.Load();

        Assert.Equal((0, 250, 500), (loaded.Config.Streaming.AdmissionQueueDelayMs, loaded.Config.Streaming.AdmissionMaxWaitMs, loaded.Config.Streaming.BufferSize));
        Assert.Equal(("dwcp.yaml:4", "dwcp.yaml:5"), (loaded.Sources["streaming.admission_queue_delay_ms"], loaded.Sources["streaming.admission_max_wait_ms"]));
    }

    [Theory]
    [InlineData("admission_queue_delay_ms: -1", "streaming.admission_queue_delay_ms", "must be 0 to 60000 milliseconds (0 turns admission pacing off) but is -1")]
    [InlineData("admission_queue_delay_ms: 60001", "streaming.admission_queue_delay_ms", "but is 60001")]
    [InlineData("admission_max_wait_ms: -5", "streaming.admission_max_wait_ms", "must be 0 to 60000 milliseconds (0 accepts at once) but is -5")]
    [InlineData("admission_max_wait_ms: 1s", "streaming.admission_max_wait_ms", "whole number")]
    public void A_bad_value_is_an_error_at_its_line_naming_the_key(string line, string key, string message)
    {
        var error = _dir.FileFails($"analytics:\n  streaming:\n    {line}\n");

        Assert.Equal((3, key), (error.Line, error.KeyPath));
        Assert.Contains("analytics." + key, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_environment_variables_set_both_and_override_the_file()
    {
        _dir.Write("analytics:\n  streaming:\n    admission_queue_delay_ms: 80\n");

        var c = _dir.Load(env: new() { ["DWCP_STREAMING_ADMISSION_QUEUE_DELAY_MS"] = "20", ["DWCP_STREAMING_ADMISSION_MAX_WAIT_MS"] = "0" }).Config;

        Assert.Equal((20, 0), (c.Streaming.AdmissionQueueDelayMs, c.Streaming.AdmissionMaxWaitMs));
    }

    [Fact]
    public void A_configuration_built_in_code_is_checked_too()
    {
        var config = new DwcpConfig { Streaming = new StreamingConfig { AdmissionMaxWaitMs = 90_000 } };

        var error = Assert.Throws<ConfigException>(config.Validate);

        Assert.Contains("analytics.streaming.admission_max_wait_ms", error.Message, StringComparison.Ordinal);
    }
}
