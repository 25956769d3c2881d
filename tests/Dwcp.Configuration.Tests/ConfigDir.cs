using Dwcp.Tests;

namespace Dwcp.Configuration.Tests;

/// <summary>A temporary working directory holding config files, and shortcuts to load from it.</summary>
internal sealed class ConfigDir : IDisposable
{
    public string Root { get; } = RepoPaths.NewTempDir("dwcp-config");

    /// <summary>Writes a file (dwcp.yaml by default) and returns its full path.</summary>
    public string Write(string yaml, string name = DwcpConfigLoader.DefaultFileName)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    public LoadedConfig Load(
        string? path = null,
        Dictionary<string, string?>? env = null,
        Dictionary<string, string>? overrides = null) =>
        DwcpConfigLoader.Load(path, env ?? [], overrides ?? [], Root);

    public ConfigException LoadFails(
        string? path = null,
        Dictionary<string, string?>? env = null,
        Dictionary<string, string>? overrides = null) =>
        Assert.Throws<ConfigException>(() => Load(path, env, overrides));

    /// <summary>Writes dwcp.yaml and expects loading it to fail.</summary>
    public ConfigException FileFails(string yaml)
    {
        Write(yaml);
        return LoadFails();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
