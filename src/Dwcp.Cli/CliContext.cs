using Dwcp.Configuration;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Server;
using Spectre.Console;

namespace Dwcp.Cli;

/// <summary>Global options shared by every command, and the configuration they resolve to.</summary>
internal sealed record GlobalOptions(string? ConfigFile, string? DataDir, string? Scope, string? Urls);

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

    /// <summary>Server options from the configuration.</summary>
    public DwcpServerOptions ServerOptions() => DwcpServerOptions.FromConfig(Loaded);

    public CostQueryOptions QueryOptions() => ServerOptions().Query;

    /// <summary>The server holding this data folder, if one is running.</summary>
    public ServerFile? RunningServer() => ServerFile.ReadLive(DataDir);
}
