namespace Dwcp.Configuration;

/// <summary>A configuration as loaded by <see cref="DwcpConfigLoader"/>, with where each value came from.</summary>
/// <param name="Config">The validated configuration.</param>
/// <param name="Sources">
/// For every key path (without the <c>analytics.</c> prefix, e.g. <c>api.query_timeout</c>), where its value came
/// from: <c>default</c>, <c>dwcp.yaml:12</c> (file and line), <c>env DWCP_API_QUERY_TIMEOUT</c> or
/// <c>--api.query_timeout</c> (an override).
/// </param>
/// <param name="ConfigFile">The full path of the file that was read, or null when no file was used.</param>
public sealed record LoadedConfig(DwcpConfig Config, IReadOnlyDictionary<string, string> Sources, string? ConfigFile);
