using System.Globalization;
using System.Text;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// ClickHouse's text encodings: SQL string literals, the TabSeparated field escaping and the quoted array syntax
/// (<c>['a','b\'c']</c>). Values are never interpolated into SQL any other way.
/// </summary>
internal static class ClickHouseText
{
    /// <summary>A SQL string literal (<c>'…'</c> with backslash escapes), or <c>NULL</c>.</summary>
    public static string Literal(string? value)
    {
        if (value is null)
        {
            return "NULL";
        }

        var sb = new StringBuilder(value.Length + 2);
        AppendQuoted(sb, value);
        return sb.ToString();
    }

    /// <summary>A Date literal.</summary>
    public static string DateLiteral(DateOnly day) => "toDate('" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "')";

    /// <summary>Appends <paramref name="value"/> quoted as ClickHouse writes quoted strings.</summary>
    public static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('\'');
        foreach (var ch in value)
        {
            var escape = Escape(ch, '\'');
            if (escape is null)
            {
                sb.Append(ch);
            }
            else
            {
                sb.Append(escape);
            }
        }

        sb.Append('\'');
    }

    /// <summary>Writes one TabSeparated field (NULL as <c>\N</c>).</summary>
    public static void WriteField(TextWriter writer, string? value)
    {
        if (value is null)
        {
            writer.Write("\\N");
            return;
        }

        var span = value.AsSpan();
        var start = 0;
        for (var i = 0; i < span.Length; i++)
        {
            var escape = Escape(span[i], '\0');
            if (escape is null)
            {
                continue;
            }

            writer.Write(span[start..i]);
            writer.Write(escape);
            start = i + 1;
        }

        writer.Write(span[start..]);
    }

    /// <summary>Writes an Array(String) value as a TabSeparated field: <c>['a','b']</c>.</summary>
    public static void WriteArray(TextWriter writer, IEnumerable<string> values)
    {
        writer.Write('[');
        var first = true;
        foreach (var v in values)
        {
            if (!first)
            {
                writer.Write(',');
            }

            first = false;
            writer.Write('\'');
            foreach (var ch in v)
            {
                var escape = Escape(ch, '\'');
                if (escape is null)
                {
                    writer.Write(ch);
                }
                else
                {
                    writer.Write(escape);
                }
            }

            writer.Write('\'');
        }

        writer.Write(']');
    }

    /// <summary>Decodes one TabSeparated field; <c>\N</c> is NULL.</summary>
    public static string? ReadField(ReadOnlySpan<char> field)
    {
        if (field is "\\N")
        {
            return null;
        }

        var slash = field.IndexOf('\\');
        if (slash < 0)
        {
            return field.ToString();
        }

        var sb = new StringBuilder(field.Length);
        var i = 0;
        Unescape(field, ref i, sb, terminator: null);
        return sb.ToString();
    }

    /// <summary>Parses an Array(String) in its text form <c>['a','b\'c']</c>, as found raw in a TabSeparated field.</summary>
    public static List<string> ReadArray(ReadOnlySpan<char> text)
    {
        var list = new List<string>();
        var i = 0;
        Expect(text, ref i, '[');
        if (i < text.Length && text[i] == ']')
        {
            return list;
        }

        while (true)
        {
            Expect(text, ref i, '\'');
            var sb = new StringBuilder();
            Unescape(text, ref i, sb, terminator: '\'');
            Expect(text, ref i, '\'');
            list.Add(sb.ToString());
            if (i < text.Length && text[i] == ',')
            {
                i++;
                continue;
            }

            Expect(text, ref i, ']');
            return list;
        }
    }

    private static void Expect(ReadOnlySpan<char> text, ref int i, char ch)
    {
        if (i >= text.Length || text[i] != ch)
        {
            throw new StoreException($"ClickHouse returned an array the store cannot read: expected '{ch}' at position {i} of '{text}'.");
        }

        i++;
    }

    /// <summary>Decodes backslash escapes from <paramref name="i"/> up to the terminator (unescaped) or the end.</summary>
    private static void Unescape(ReadOnlySpan<char> text, ref int i, StringBuilder sb, char? terminator)
    {
        while (i < text.Length)
        {
            var ch = text[i];
            if (terminator is { } t && ch == t)
            {
                return;
            }

            if (ch != '\\' || i + 1 >= text.Length)
            {
                sb.Append(ch);
                i++;
                continue;
            }

            var next = text[i + 1];
            i += 2;
            switch (next)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '0': sb.Append('\0'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'a': sb.Append('\a'); break;
                case 'v': sb.Append('\v'); break;
                case 'x' when i + 1 < text.Length && byte.TryParse(text.Slice(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b):
                    sb.Append((char)b);
                    i += 2;
                    break;
                default: sb.Append(next); break;
            }
        }
    }

    /// <summary>The escape sequence ClickHouse uses for a character in escaped/quoted text, or null when it is written as is.</summary>
    private static string? Escape(char ch, char quote) => ch switch
    {
        '\\' => "\\\\",
        '\t' => "\\t",
        '\n' => "\\n",
        '\r' => "\\r",
        '\0' => "\\0",
        '\b' => "\\b",
        '\f' => "\\f",
        '\'' => "\\'",
        _ when ch == quote => "\\" + ch,
        _ => null,
    };
}
