using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Dwcp.Configuration;

/// <summary>One value of the file: a scalar (null for a YAML null) or, for a list key, a sequence of entries.</summary>
/// <param name="Setting">The key.</param>
/// <param name="Origin">Where the key is.</param>
/// <param name="Scalar">The scalar text, or null for a YAML null or a sequence.</param>
/// <param name="Items">The entries of a YAML sequence (each with where it is), or null for a scalar.</param>
internal sealed record FileAssignment(Setting Setting, Origin Origin, string? Scalar, IReadOnlyList<(string? Text, Origin Origin)>? Items);

/// <summary>
/// Reads <c>dwcp.yaml</c> by walking YamlDotNet's representation model, so that every error knows its line.
/// </summary>
internal sealed class YamlConfigReader
{
    private readonly string _display;
    private readonly List<FileAssignment> _assignments = [];

    private YamlConfigReader(string display) => _display = display;

    /// <summary>Reads the file's text into assignments; throws <see cref="ConfigException"/> for any problem.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="display">The file as shown in messages and sources (e.g. <c>dwcp.yaml</c>).</param>
    public static IReadOnlyList<FileAssignment> Read(string text, string display)
    {
        var reader = new YamlConfigReader(display);
        reader.CheckSyntaxAndDuplicates(text);
        var stream = reader.LoadStream(text);
        reader.ReadStream(stream);
        return reader._assignments;
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => $"the value '{s.Value}'",
        YamlSequenceNode => "a list",
        _ => "a section",
    };

    private static string? ShortKey(string fullPath) =>
        fullPath.StartsWith(DwcpConfigLoader.RootKey + ".", StringComparison.Ordinal)
            ? fullPath[(DwcpConfigLoader.RootKey.Length + 1)..]
            : null;

    private static string Join(string? parent, string key) => string.IsNullOrEmpty(parent) ? key : parent + "." + key;

    private Origin At(Mark mark) => Origin.InFile(_display, mark);

    private Origin At(YamlNode node) => At(node.Start);

    private const string SyntaxAdvice =
        "Check the indentation (spaces only, no tabs), the ': ' after each key, and any quote or bracket that is not closed.";

    private ConfigException Malformed(Mark mark, string detail, Exception? inner, string? advice = SyntaxAdvice)
    {
        var origin = At(mark);
        var column = origin.Column!.Value.ToString(CultureInfo.InvariantCulture);
        return origin.Error(
            $"{origin.Where}, column {column}: not valid YAML: {detail.TrimEnd('.')}." + (advice is null ? "" : " " + advice),
            keyPath: null,
            inner);
    }

    /// <summary>
    /// A first pass over YamlDotNet's event stream: translates syntax errors (with their line), and finds duplicate
    /// keys with both of their lines and their key path, which the representation model reports without either.
    /// </summary>
    private void CheckSyntaxAndDuplicates(string text)
    {
        var parser = new Parser(new StringReader(text));
        var stack = new Stack<Frame>();
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var lastGood = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                lastGood = current.End;
                if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
                {
                    anchors.Add(anchored.Anchor.Value);
                }

                switch (current)
                {
                    case DocumentStart:
                        stack.Clear();
                        anchors.Clear();
                        break;
                    case AnchorAlias alias when !anchors.Contains(alias.Value.Value):
                        throw Malformed(
                            alias.Start,
                            $"the alias '*{alias.Value.Value}' refers to no anchor; define '&{alias.Value.Value}' on a value above it, or write the value itself",
                            inner: null,
                            advice: null);
                    case MappingStart or SequenceStart:
                        var isKey = IsKey(stack);
                        stack.Push(new Frame(current is MappingStart, EnterNode(stack, current), isKey));
                        break;
                    case MappingEnd or SequenceEnd:
                        var done = stack.Pop();
                        if (stack.TryPeek(out var parent) && parent.IsMapping)
                        {
                            parent.ExpectKey = !done.IsKey;
                        }

                        break;
                    case Scalar or AnchorAlias:
                        EnterNode(stack, current);
                        break;
                }
            }
        }
        catch (YamlException e) when (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text) is { } tab)
        {
            // YamlDotNet reports a tab in the indentation at the enclosing mapping; point at the tab itself.
            throw Malformed(tab, e.Message, e);
        }
        catch (YamlException e)
        {
            throw Malformed(e.Start, e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner fails this way on some unterminated flow collections ("[1, 2" then a new line).
            throw Malformed(
                lastGood,
                "the YAML reader stopped after this point; a '[' or '{' that is not closed before the next line is the usual cause",
                e);
        }
    }

    /// <summary>Where the first tab in a line's indentation is, if any.</summary>
    private static Mark? FirstTabIndent(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent)
            {
                return new Mark(0, i + 1, tab + 1);
            }
        }

        return null;
    }

    private static bool IsKey(Stack<Frame> stack) => stack.TryPeek(out var parent) && parent.IsMapping && parent.ExpectKey;

    /// <summary>Handles a node event: records keys (throwing on a duplicate) and returns the node's key path.</summary>
    private string EnterNode(Stack<Frame> stack, ParsingEvent node)
    {
        if (!stack.TryPeek(out var parent))
        {
            return "";
        }

        if (!parent.IsMapping)
        {
            return parent.Path + "[]";
        }

        if (parent.ExpectKey)
        {
            if (node is Scalar key)
            {
                var path = Join(parent.Path, key.Value);
                if (parent.Seen.TryGetValue(key.Value, out var firstLine))
                {
                    var origin = At(key.Start);
                    throw origin.Error(
                        $"{origin.Where}: duplicate key '{path}' (it is also on line {firstLine.ToString(CultureInfo.InvariantCulture)}). "
                        + "A key may appear only once in a section; keep one of the two and delete the other.",
                        ShortKey(path));
                }

                parent.Seen[key.Value] = checked((int)key.Start.Line);
                parent.PendingKey = key.Value;
            }
            else
            {
                parent.PendingKey = "?";
            }

            // A scalar or alias key is complete; a collection key completes at its end event.
            if (node is Scalar or AnchorAlias)
            {
                parent.ExpectKey = false;
            }

            return Join(parent.Path, parent.PendingKey);
        }

        var valuePath = Join(parent.Path, parent.PendingKey);
        if (node is Scalar or AnchorAlias)
        {
            parent.ExpectKey = true;
        }

        return valuePath;
    }

    private YamlStream LoadStream(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            // Syntax errors were reported by the first pass; what is left is e.g. an alias to an unknown anchor.
            throw Malformed(e.Start, e.Message, e);
        }

        return stream;
    }

    private void ReadStream(YamlStream stream)
    {
        if (stream.Documents.Count == 0)
        {
            return; // empty file, or only comments: every key keeps its default
        }

        if (stream.Documents.Count > 1)
        {
            var origin = At(stream.Documents[1].RootNode);
            throw origin.Error(
                $"{origin.Where}: a second YAML document starts here (after '---'). "
                + "dwcp.yaml holds a single document; remove the '---' separator and merge the settings into one 'analytics:' block.",
                keyPath: null);
        }

        var root = stream.Documents[0].RootNode;
        if (IsNull(root))
        {
            return;
        }

        if (root is not YamlMappingNode rootMap)
        {
            var origin = At(root);
            throw origin.Error(
                $"{origin.Where}: the file must hold a mapping with the single top-level key 'analytics:', but it holds {Describe(root)}. "
                + "For example: 'analytics:' on the first line, then '  store: duckdb' indented below it.",
                keyPath: null);
        }

        foreach (var (keyNode, value) in rootMap.Children)
        {
            var name = KeyName(keyNode, "");
            if (!string.Equals(name, DwcpConfigLoader.RootKey, StringComparison.Ordinal))
            {
                throw UnknownTopLevelKey(keyNode, name);
            }

            ReadSection("", keyNode, value);
        }
    }

    private ConfigException UnknownTopLevelKey(YamlNode keyNode, string name)
    {
        var origin = At(keyNode);
        string hint;
        if (Settings.RootKeys.Contains(name, StringComparer.Ordinal) || Settings.Find(name) is not null)
        {
            hint = $"'{name}' belongs under 'analytics:'; indent it below an 'analytics:' line.";
        }
        else if (Suggestions.Nearest(name, [DwcpConfigLoader.RootKey]) is not null)
        {
            hint = $"Did you mean '{DwcpConfigLoader.RootKey}'?";
        }
        else
        {
            hint = "Remove it.";
        }

        return origin.Error(
            $"{origin.Where}: unknown top-level key '{name}'. {hint} "
            + "The file holds one top-level key, 'analytics:', with every setting indented below it.",
            keyPath: null);
    }

    /// <summary>The text of a key; keys must be plain scalars.</summary>
    private string KeyName(YamlNode keyNode, string parentPath)
    {
        if (keyNode is YamlScalarNode { Value: { } value })
        {
            return value;
        }

        var origin = At(keyNode);
        throw origin.Error(
            $"{origin.Where}: a key under '{(parentPath.Length == 0 ? "the top level" : parentPath)}' is {Describe(keyNode)}; keys must be plain names such as 'store'.",
            keyPath: null);
    }

    /// <summary>Reads <c>analytics</c> (section "") or one of its sections.</summary>
    private void ReadSection(string section, YamlNode keyNode, YamlNode value)
    {
        var fullPath = section.Length == 0 ? DwcpConfigLoader.RootKey : DwcpConfigLoader.RootKey + "." + section;
        var known = Settings.KeysOf(section);
        if (IsNull(value))
        {
            return; // "api:" with nothing below it: every key of the section keeps its default
        }

        if (value is not YamlMappingNode map)
        {
            var origin = At(keyNode);
            var first = known[0];
            throw origin.Error(
                $"{origin.Where}: '{fullPath}' is a section and cannot take {Describe(value)}; "
                + $"write its keys on the lines below it, indented, e.g. '{first}: {ExampleOf(section, first)}'. "
                + $"Known keys under {fullPath}: {string.Join(", ", known)}.",
                section.Length == 0 ? null : section);
        }

        foreach (var (childKey, childValue) in map.Children)
        {
            var name = KeyName(childKey, fullPath);
            if (section.Length == 0 && Settings.Sections.Contains(name, StringComparer.Ordinal))
            {
                ReadSection(name, childKey, childValue);
                continue;
            }

            var setting = Settings.Find(section.Length == 0 ? name : section + "." + name)
                ?? throw UnknownKey(section, fullPath, name, childKey, known);
            ReadLeaf(setting, childKey, childValue);
        }
    }

    private static string ExampleOf(string section, string key)
    {
        if (section.Length == 0)
        {
            return Settings.Find(key)?.Example ?? "...";
        }

        var setting = Settings.Find(section + "." + key)!;
        return setting.IsList ? "[" + setting.Example + "]" : setting.Example;
    }

    private ConfigException UnknownKey(string section, string fullPath, string name, YamlNode keyNode, IReadOnlyList<string> known)
    {
        var origin = At(keyNode);
        var path = fullPath + "." + name;
        var hint = "";
        var nearest = Suggestions.Nearest(name, known);
        if (nearest is not null)
        {
            hint = $" Did you mean '{nearest}'?";
        }
        else
        {
            // The right key in the wrong section, e.g. buffer_size under api.
            var elsewhere = Settings.All.FirstOrDefault(s => s.Section != section && string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
            if (elsewhere is not null)
            {
                var home = elsewhere.Section.Length == 0 ? DwcpConfigLoader.RootKey : DwcpConfigLoader.RootKey + "." + elsewhere.Section;
                hint = $" '{elsewhere.Name}' is a key of {home}; move it there.";
            }
        }

        return origin.Error(
            $"{origin.Where}: unknown key '{path}'.{hint} Known keys under {fullPath}: {string.Join(", ", known)}.",
            ShortKey(path));
    }

    private void ReadLeaf(Setting setting, YamlNode keyNode, YamlNode value)
    {
        var origin = At(keyNode);
        switch (value)
        {
            case YamlScalarNode scalar:
                _assignments.Add(new FileAssignment(setting, origin, IsNull(scalar) ? null : scalar.Value, null));
                break;
            case YamlSequenceNode sequence when setting.IsList:
                var items = new List<(string?, Origin)>();
                foreach (var item in sequence.Children)
                {
                    if (item is not YamlScalarNode itemScalar)
                    {
                        var at = At(item);
                        throw at.Error(
                            $"{at.Where}: {setting.FullKey}: each entry must be a single value, not {Describe(item)}. For example: '{setting.Name}: [{setting.Example}]'.",
                            setting.Key);
                    }

                    items.Add((IsNull(itemScalar) ? null : itemScalar.Value, At(item)));
                }

                _assignments.Add(new FileAssignment(setting, origin, null, items));
                break;
            default:
                var example = setting.IsList ? "[" + setting.Example + "]" : setting.Example;
                throw origin.Error(
                    $"{origin.Where}: {setting.FullKey} takes a single value, not {Describe(value)}. For example: '{setting.Name}: {example}'.",
                    setting.Key);
        }
    }

    /// <summary>A mapping or sequence being read by <see cref="CheckSyntaxAndDuplicates"/>.</summary>
    private sealed class Frame(bool isMapping, string path, bool isKey)
    {
        public bool IsMapping { get; } = isMapping;

        public string Path { get; } = path;

        /// <summary>Whether this collection is itself a key (a complex key).</summary>
        public bool IsKey { get; } = isKey;

        public bool ExpectKey { get; set; } = true;

        public string PendingKey { get; set; } = "";

        public Dictionary<string, int> Seen { get; } = new(StringComparer.Ordinal);
    }
}
