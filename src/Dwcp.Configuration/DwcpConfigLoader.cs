using System.Collections;
using System.Collections.ObjectModel;

namespace Dwcp.Configuration;

/// <summary>
/// Loads the DWCP configuration. Precedence, lowest first: built-in defaults &lt; <c>dwcp.yaml</c> &lt;
/// environment variables (<c>DWCP_API_QUERY_TIMEOUT</c>) &lt; overrides (command-line flags, keyed by key path
/// such as <c>api.query_timeout</c>). Every problem is a <see cref="ConfigException"/> that says where it is and
/// what to do. See <c>docs/configuration.md</c>.
/// </summary>
public static class DwcpConfigLoader
{
    /// <summary>The single top-level key of the file.</summary>
    public const string RootKey = "analytics";

    /// <summary>The file looked for in the working directory when no path is given.</summary>
    public const string DefaultFileName = "dwcp.yaml";

    /// <summary>The environment variable naming the file when no path is given.</summary>
    public const string ConfigFileVariable = "DWCP_CONFIG";

    /// <summary>The prefix of every DWCP environment variable.</summary>
    public const string EnvironmentPrefix = "DWCP_";

    /// <summary>Every key path (without <c>analytics.</c>), in documentation order; the keys of <see cref="LoadedConfig.Sources"/>.</summary>
    public static IReadOnlyList<string> KeyPaths { get; } = Settings.All.Select(s => s.Key).ToArray();

    /// <summary>The environment variable of a key path, e.g. <c>DWCP_API_QUERY_TIMEOUT</c> for <c>api.query_timeout</c>.</summary>
    /// <exception cref="ArgumentException">The key path is unknown.</exception>
    public static string EnvironmentVariableOf(string keyPath) =>
        Settings.Find(keyPath)?.EnvVar ?? throw new ArgumentException($"Unknown key path '{keyPath}'.", nameof(keyPath));

    /// <summary>
    /// Loads the configuration, resolving a relative <paramref name="path"/> (or <c>$DWCP_CONFIG</c>, or
    /// <c>dwcp.yaml</c>) against the process's current directory.
    /// </summary>
    /// <inheritdoc cref="Load(string?, IReadOnlyDictionary{string, string?}, IReadOnlyDictionary{string, string}, string)"/>
    public static LoadedConfig Load(
        string? path,
        IReadOnlyDictionary<string, string?> environment,
        IReadOnlyDictionary<string, string> overrides) =>
        Load(path, environment, overrides, Environment.CurrentDirectory);

    /// <summary>Loads the configuration.</summary>
    /// <param name="path">
    /// The file to read; it must exist. When null: <c>$DWCP_CONFIG</c> if set (it must then exist), else
    /// <c>dwcp.yaml</c> in <paramref name="workingDirectory"/> if it exists, else no file (defaults only).
    /// </param>
    /// <param name="environment">
    /// Environment variables (e.g. from <see cref="ReadEnvironment"/>). Only names starting with <c>DWCP_</c>
    /// (any case) are read; an unknown one is an error, except <c>DWCP_CONFIG</c>. A null or empty value counts as unset.
    /// </param>
    /// <param name="overrides">Values from command-line flags, keyed by key path (<c>api.query_timeout</c>; an <c>analytics.</c> prefix is allowed).</param>
    /// <param name="workingDirectory">The folder relative paths are resolved against.</param>
    /// <returns>The validated configuration and where each value came from.</returns>
    /// <exception cref="ConfigException">The file is missing, malformed or holds a bad key or value; an environment variable or override is unknown or bad; or the values do not go together.</exception>
    public static LoadedConfig Load(
        string? path,
        IReadOnlyDictionary<string, string?> environment,
        IReadOnlyDictionary<string, string> overrides,
        string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);

        var values = Settings.All.ToDictionary(s => s, s => (Value: s.Get(DwcpConfig.Default), Origin: Origin.Default));

        var file = ResolveFile(path, environment, workingDirectory);
        if (file is not null)
        {
            foreach (var assignment in YamlConfigReader.Read(ReadText(file), file.Display))
            {
                values[assignment.Setting] = (ParseFileValue(assignment), assignment.Origin);
            }
        }

        foreach (var (name, value) in environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (value is null
                || !name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, ConfigFileVariable, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var setting = Settings.FindByEnvVar(name) ?? throw UnknownEnvironmentVariable(name);
            if (value.Trim().Length == 0)
            {
                continue; // set but empty: treated as unset
            }

            var origin = Origin.Env(setting.EnvVar);
            values[setting] = (ParseText(setting, value, origin), origin);
        }

        foreach (var (key, value) in overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var setting = FindOverride(key) ?? throw UnknownOverride(key);
            var origin = Origin.Flag(setting.Key);
            values[setting] = (ParseText(setting, value, origin), origin);
        }

        var config = DwcpConfig.Default;
        foreach (var (setting, (value, origin)) in values)
        {
            if (origin.Kind != OriginKind.Default)
            {
                config = setting.Set(config, value);
            }
        }

        ConfigValidator.Validate(config, values.ToDictionary(kv => kv.Key, kv => kv.Value.Origin));

        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in Settings.All)
        {
            sources[setting.Key] = values[setting].Origin.Source;
        }

        return new LoadedConfig(config, new ReadOnlyDictionary<string, string>(sources), file?.FullPath);
    }

    /// <summary>The process's environment variables whose names start with <c>DWCP_</c>.</summary>
    public static IReadOnlyDictionary<string, string?> ReadEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                result[name] = entry.Value as string;
            }
        }

        return result;
    }

    private static ConfigFile? ResolveFile(string? path, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        var given = path;
        string? via = null;
        if (given is null)
        {
            var fromEnv = environment.FirstOrDefault(kv => string.Equals(kv.Key, ConfigFileVariable, StringComparison.OrdinalIgnoreCase)).Value;
            if (!string.IsNullOrWhiteSpace(fromEnv))
            {
                given = fromEnv.Trim();
                via = ConfigFileVariable;
            }
        }

        if (given is null)
        {
            var candidate = Path.Combine(workingDirectory, DefaultFileName);
            return File.Exists(candidate) ? new ConfigFile(DefaultFileName, candidate) : null;
        }

        var from = via is null ? "" : $" (from {via})";
        if (string.IsNullOrWhiteSpace(given))
        {
            throw new ConfigException(
                "The configuration file path is empty. Give the path of a YAML file, e.g. ./dwcp.yaml, or leave it out to use the defaults.");
        }

        var fullPath = Path.GetFullPath(given, workingDirectory);
        if (Directory.Exists(fullPath))
        {
            throw new ConfigException(
                $"The configuration file '{given}'{from} is a folder. Give the path of the YAML file in it, e.g. {Path.Combine(given, DefaultFileName)}.",
                given, line: null, column: null, keyPath: null);
        }

        if (!File.Exists(fullPath))
        {
            var fix = via is null ? "fix the path, or leave it out" : $"fix {via}, or unset it";
            throw new ConfigException(
                $"The configuration file '{given}'{from} does not exist (looked for {fullPath}). "
                + $"Create it, {fix} to use ./{DefaultFileName} when present and the defaults otherwise.",
                given, line: null, column: null, keyPath: null);
        }

        return new ConfigFile(given, fullPath);
    }

    private static string ReadText(ConfigFile file)
    {
        try
        {
            return File.ReadAllText(file.FullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(
                $"Cannot read the configuration file '{file.Display}': {e.Message} Check that it is readable by this user.",
                file.Display, line: null, column: null, keyPath: null, e);
        }
    }

    private static Setting? FindOverride(string key)
    {
        var normalized = key.Trim().TrimStart('-').Replace('-', '_');
        if (normalized.StartsWith(RootKey + ".", StringComparison.Ordinal))
        {
            normalized = normalized[(RootKey.Length + 1)..];
        }

        return Settings.Find(normalized);
    }

    private static ConfigException UnknownEnvironmentVariable(string name)
    {
        var names = Settings.All.Select(s => s.EnvVar).ToList();
        var nearest = Suggestions.Nearest(name, names);
        var hint = nearest is not null
            ? $" Did you mean {nearest}? Rename it or unset it."
            : $" Unset it. Known variables: {ConfigFileVariable}, {string.Join(", ", names)}.";
        return new ConfigException(
            $"Environment variable {name} is not a DWCP setting (every variable starting with {EnvironmentPrefix} is read as one).{hint}");
    }

    private static ConfigException UnknownOverride(string key)
    {
        var nearest = Suggestions.Nearest(key, KeyPaths);
        var hint = nearest is not null ? $" Did you mean '{nearest}'?" : "";
        return new ConfigException(
            $"--{key}: unknown setting '{key}'.{hint} Known settings: {string.Join(", ", KeyPaths)}.",
            file: null, line: null, column: null, keyPath: key);
    }

    private static object? ParseFileValue(FileAssignment assignment)
    {
        var setting = assignment.Setting;
        if (assignment.Items is null)
        {
            return assignment.Scalar is null
                ? (setting.AllowsNone ? null : throw assignment.Origin.NoValue(setting))
                : ParseText(setting, assignment.Scalar, assignment.Origin);
        }

        var entries = new List<object>();
        foreach (var (text, origin) in assignment.Items)
        {
            if (text is null || text.Trim().Length == 0)
            {
                throw origin.Error(
                    $"{origin.Where}: {setting.FullKey}: an entry of the list is empty. Remove it, or write {setting.Kind.Name}, for example '{setting.Name}: [{setting.Example}]'.",
                    setting.Key);
            }

            var entry = ParseOne(setting, text.Trim(), origin);
            var entryProblem = setting.EntryProblem(entry);
            entries.Add(entryProblem is null ? entry : throw origin.OutOfRange(setting, entryProblem));
        }

        var list = setting.MakeList(entries);
        var problem = setting.Problem(list);
        return problem is null ? list : throw assignment.Origin.OutOfRange(setting, problem);
    }

    /// <summary>Parses a value written as text (a file scalar, an environment variable, an override) and checks its range.</summary>
    private static object? ParseText(Setting setting, string text, Origin origin)
    {
        var trimmed = text.Trim();
        object? value;
        if (setting.IsList && setting.JsonEntries)
        {
            value = setting.MakeList(JsonEntries(setting, trimmed, origin));
        }
        else if (setting.IsList)
        {
            var entries = trimmed.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            value = setting.MakeList(entries.Select(e => ParseOne(setting, e, origin)));
        }
        else if (trimmed.Length == 0 && setting.Kind != ValueKinds.Text)
        {
            return setting.AllowsNone ? null : throw origin.NoValue(setting);
        }
        else
        {
            value = ParseOne(setting, trimmed, origin);
        }

        var problem = setting.Problem(value);
        return problem is null ? value : throw origin.OutOfRange(setting, problem);
    }

    /// <summary>The entries of a JSON-entry list written as text: a JSON array of objects (empty text: none).</summary>
    private static List<object> JsonEntries(Setting setting, string text, Origin origin)
    {
        if (text.Length == 0)
        {
            return [];
        }

        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Array)
            {
                throw origin.OutOfRange(setting, "must be a JSON array of objects, e.g. [{\"name\":\"cost_per_unit\",\"type\":\"rate\"}]");
            }

            return [.. doc.RootElement.EnumerateArray().Select(e => (object)e.GetRawText())];
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw origin.OutOfRange(setting, $"must be a JSON array of objects but is not valid JSON ({ex.Message})");
        }
    }

    private static object ParseOne(Setting setting, string text, Origin origin)
    {
        var outcome = setting.Kind.Parse(text);
        return outcome.Problem is null ? outcome.Value! : throw origin.BadValue(setting, outcome.Problem);
    }

    /// <summary>The file read: as shown in messages (the path as given, or <c>dwcp.yaml</c>) and in full.</summary>
    private sealed record ConfigFile(string Display, string FullPath);
}
