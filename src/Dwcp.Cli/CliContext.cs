using Dwcp.Configuration;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Server;
using Spectre.Console;

namespace Dwcp.Cli;

/// <summary>Global options shared by every command, and the configuration they resolve to.</summary>
internal sealed record GlobalOptions(string? ConfigFile, string? DataDir, string? Scope, string? Urls, string? Store = null);

/// <summary>The resolved configuration for one command run.</summary>
internal sealed class CliContext
{
    private CliContext(LoadedConfig loaded, CostScope scope, IAnsiConsole console, IAnsiConsole error)
    {
        Loaded = loaded;
        Scope = scope;
        Console = console;
        Error = error;
    }

    public LoadedConfig Loaded { get; }

    public DwcpConfig Config => Loaded.Config;

    public string DataDir => Path.GetFullPath(Config.DataDir);

    public CostScope Scope { get; }

    public IAnsiConsole Console { get; }

    public IAnsiConsole Error { get; }

    /// <summary>Loads dwcp.yaml, the environment and the flags (flags win).</summary>
    public static CliContext Create(GlobalOptions g, IAnsiConsole console, IAnsiConsole error)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        if (g.Store is { } store)
        {
            foreach (var (key, value) in StoreOverrides(store))
            {
                overrides[key] = value;
            }
        }

        if (g.DataDir is not null)
        {
            overrides["data_dir"] = g.DataDir;
        }

        if (g.Scope is not null)
        {
            overrides["scope"] = g.Scope;
        }

        if (g.Urls is not null)
        {
            overrides["api.urls"] = g.Urls;
        }

        var loaded = DwcpConfigLoader.Load(g.ConfigFile, DwcpConfigLoader.ReadEnvironment(), overrides);
        return new CliContext(loaded, loaded.Config.ParseScope(), console, error);
    }

    /// <summary>
    /// <c>--store duckdb</c>, or <c>--store clickhouse://host:port</c> (HTTP interface; <c>clickhouses://</c> for HTTPS),
    /// as the configuration keys they stand for (<c>store</c> and <c>clickhouse.url</c>).
    /// </summary>
    internal static IEnumerable<(string Key, string Value)> StoreOverrides(string store)
    {
        if (store.Equals("duckdb", StringComparison.OrdinalIgnoreCase))
        {
            return [("store", "duckdb")];
        }

        if (Uri.TryCreate(store, UriKind.Absolute, out var uri) && uri.Scheme is "clickhouse" or "clickhouses" && uri.Host.Length > 0)
        {
            var scheme = uri.Scheme == "clickhouses" ? "https" : "http";
            var port = uri.IsDefaultPort || uri.Port < 0 ? 8123 : uri.Port;
            return [("store", "clickhouse"), ("clickhouse.url", $"{scheme}://{uri.Host}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}")];
        }

        throw new UsageException($"--store '{store}' is not 'duckdb' or 'clickhouse://HOST:PORT' (ClickHouse's HTTP port, e.g. clickhouse://127.0.0.1:8123).");
    }

    /// <summary>Server options from the configuration.</summary>
    public DwcpServerOptions ServerOptions() => DwcpServerOptions.FromConfig(Loaded);

    public CostQueryOptions QueryOptions() => ServerOptions().Query;

    /// <summary>The server holding this data folder, if one is running.</summary>
    public ServerFile? RunningServer() => ServerFile.ReadLive(DataDir);
}
