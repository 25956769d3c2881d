using System.Collections;

namespace Dwcp.Configuration;

/// <summary>
/// One leaf key of the <c>analytics:</c> block: its path, value kind, how it is read from and written to
/// <see cref="DwcpConfig"/>, and its range check.
/// </summary>
internal sealed class Setting
{
    private readonly Func<object, string?>? _check;
    private readonly Func<IEnumerable<object>, object>? _makeList;

    private Setting(
        string key,
        ValueKind kind,
        string example,
        Func<DwcpConfig, object?> get,
        Func<DwcpConfig, object?, DwcpConfig> set,
        Func<object, string?>? check,
        Func<IEnumerable<object>, object>? makeList,
        bool allowsNone)
    {
        Key = key;
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        Section = dot < 0 ? "" : key[..dot];
        Name = dot < 0 ? key : key[(dot + 1)..];
        EnvVar = DwcpConfigLoader.EnvironmentPrefix + key.Replace('.', '_').ToUpperInvariant();
        Kind = kind;
        Example = example;
        Get = get;
        Set = set;
        _check = check;
        _makeList = makeList;
        AllowsNone = allowsNone;
    }

    /// <summary>The key path without the <c>analytics.</c> prefix, e.g. <c>api.query_timeout</c>.</summary>
    public string Key { get; }

    /// <summary>The section under <c>analytics</c> (<c>api</c>), or empty for a key directly under it.</summary>
    public string Section { get; }

    /// <summary>The last part of <see cref="Key"/>, as written in the file.</summary>
    public string Name { get; }

    /// <summary>The key path as written in the file, e.g. <c>analytics.api.query_timeout</c>.</summary>
    public string FullKey => DwcpConfigLoader.RootKey + "." + Key;

    /// <summary>The environment variable, e.g. <c>DWCP_API_QUERY_TIMEOUT</c>.</summary>
    public string EnvVar { get; }

    /// <summary>The kind of the value (of each entry, for a list).</summary>
    public ValueKind Kind { get; }

    /// <summary>An example value (entries separated by ", " for a list).</summary>
    public string Example { get; }

    /// <summary>Reads the value from a configuration.</summary>
    public Func<DwcpConfig, object?> Get { get; }

    /// <summary>Returns a copy of a configuration with the value replaced.</summary>
    public Func<DwcpConfig, object?, DwcpConfig> Set { get; }

    /// <summary>Whether the value is a list (a YAML sequence, or entries separated by commas).</summary>
    public bool IsList => _makeList is not null;

    /// <summary>Whether the key may be unset (null).</summary>
    public bool AllowsNone { get; }

    public static Setting Single(
        string key, ValueKind kind, string example,
        Func<DwcpConfig, object?> get, Func<DwcpConfig, object?, DwcpConfig> set,
        Func<object, string?>? check = null, bool allowsNone = false) =>
        new(key, kind, example, get, set, check, makeList: null, allowsNone);

    public static Setting List<T>(
        string key, ValueKind kind, string example,
        Func<DwcpConfig, object?> get, Func<DwcpConfig, object?, DwcpConfig> set,
        Func<object, string?>? check = null, bool allowsEmpty = false, bool jsonEntries = false) =>
        new(key, kind, example, get, set, check, items => items.Cast<T>().ToArray(), allowsNone: allowsEmpty) { JsonEntries = jsonEntries };

    /// <summary>Entries are JSON objects: written as text (an environment variable), the value is a JSON array of them,
    /// not entries separated by commas.</summary>
    public bool JsonEntries { get; private init; }

    /// <summary>Builds the list value from parsed entries.</summary>
    public object MakeList(IEnumerable<object> items) =>
        (_makeList ?? throw new InvalidOperationException($"{Key} is not a list."))(items);

    /// <summary>What is wrong with a parsed value (e.g. <c>must be at least 1 but is 0</c>), or null when it is allowed.</summary>
    public string? Problem(object? value)
    {
        if (value is null)
        {
            return AllowsNone ? null : "has no value";
        }

        if (!IsList)
        {
            return _check?.Invoke(value);
        }

        var items = Entries(value);
        if (items.Count == 0)
        {
            return AllowsNone ? null : "must list at least one value but is empty";
        }

        for (var i = 0; i < items.Count; i++)
        {
            var problem = _check?.Invoke(items[i]);
            if (problem is not null)
            {
                return $"entry {i + 1} {problem}";
            }
        }

        return null;
    }

    /// <summary>What is wrong with one parsed entry of a list, or null when it is allowed.</summary>
    public string? EntryProblem(object entry) => _check?.Invoke(entry);

    /// <summary>Shows a value in the syntax the file reads (lists as <c>1m, 5m</c>; unset as <c>none</c>).</summary>
    public string Format(object? value) =>
        value is null ? "none"
        : IsList ? string.Join(", ", Entries(value).Select(Kind.Format))
        : Kind.Format(value);

    private static List<object> Entries(object list) => ((IEnumerable)list).Cast<object>().ToList();
}
