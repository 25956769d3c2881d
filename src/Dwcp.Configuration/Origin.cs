using System.Globalization;
using YamlDotNet.Core;

namespace Dwcp.Configuration;

/// <summary>Where a value came from.</summary>
internal enum OriginKind
{
    /// <summary>The built-in default.</summary>
    Default,

    /// <summary>A line of the configuration file.</summary>
    File,

    /// <summary>An environment variable.</summary>
    Environment,

    /// <summary>An override (a command-line flag).</summary>
    Flag,

    /// <summary>A <see cref="DwcpConfig"/> built in code and checked with <see cref="DwcpConfig.Validate"/>.</summary>
    Code,
}

/// <summary>
/// Where a value came from, as shown in <see cref="LoadedConfig.Sources"/> (<see cref="Source"/>) and at the
/// start of error messages (<see cref="Where"/>).
/// </summary>
internal sealed record Origin(OriginKind Kind, string Source, string Where, string? File, int? Line, int? Column)
{
    public static Origin Default { get; } = new(OriginKind.Default, "default", "default", null, null, null);

    public static Origin Code { get; } = new(OriginKind.Code, "code", "", null, null, null);

    /// <summary>A place in the file; <paramref name="display"/> is the path as given (e.g. <c>dwcp.yaml</c>).</summary>
    public static Origin InFile(string display, Mark mark)
    {
        var line = checked((int)mark.Line);
        var column = checked((int)mark.Column);
        return new(
            OriginKind.File,
            display + ":" + line.ToString(CultureInfo.InvariantCulture),
            $"{display} line {line.ToString(CultureInfo.InvariantCulture)}",
            display,
            line,
            column);
    }

    public static Origin Env(string name) => new(OriginKind.Environment, "env " + name, "environment variable " + name, null, null, null);

    public static Origin Flag(string key) => new(OriginKind.Flag, "--" + key, "--" + key, null, null, null);

    /// <summary>The start of a message about <paramref name="setting"/>'s value from here.</summary>
    public string Prefix(Setting setting) => Kind switch
    {
        OriginKind.File => $"{Where}: {setting.FullKey}: ",
        OriginKind.Environment or OriginKind.Flag => $"{Where}: ",
        _ => $"{setting.FullKey}: ",
    };

    /// <summary>An example of <paramref name="setting"/> written the way this origin writes it.</summary>
    public string Example(Setting setting) => Kind switch
    {
        OriginKind.File => $"'{setting.Name}: {(setting.IsList ? "[" + setting.Example + "]" : setting.Example)}'",
        OriginKind.Environment => $"{setting.EnvVar}={setting.Example.Replace(", ", ",", StringComparison.Ordinal)}",
        _ => $"'{setting.Example.Replace(", ", ",", StringComparison.Ordinal)}'",
    };

    /// <summary>An error at this origin.</summary>
    public ConfigException Error(string message, string? keyPath, Exception? inner = null) =>
        new(message, File, Line, Column, keyPath, inner);

    /// <summary>The value is not in the expected format.</summary>
    public ConfigException BadValue(Setting setting, string problem) =>
        Error($"{Prefix(setting)}{problem}. Expected {setting.Kind.Expected}. For example: {Example(setting)}.", setting.Key);

    /// <summary>The value is in the right format but not allowed.</summary>
    public ConfigException OutOfRange(Setting setting, string problem) =>
        problem == "has no value"
            ? NoValue(setting)
            : Error($"{Prefix(setting)}{problem}. For example: {Example(setting)}.", setting.Key);

    /// <summary>The key is present without a value.</summary>
    public ConfigException NoValue(Setting setting) =>
        Error(
            $"{Prefix(setting)}has no value. Give it one, for example {Example(setting)}"
            + (Kind == OriginKind.File ? ", or delete the line to use the default" : "")
            + $" ({setting.Format(setting.Get(DwcpConfig.Default))}).",
            setting.Key);
}
