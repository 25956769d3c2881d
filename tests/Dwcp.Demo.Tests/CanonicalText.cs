using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dwcp.Core.Focus;

namespace Dwcp.Demo.Tests;

/// <summary>A canonical text rendering of rows (every FOCUS column, tags, lineage) and its SHA-256.</summary>
internal static class CanonicalText
{
    /// <summary>One line per row: column=value pairs in catalogue order, then the normalised tags.</summary>
    public static string Render(FocusRow row)
    {
        var sb = new StringBuilder(1024);
        foreach (var column in FocusColumns.All)
        {
            sb.Append(column.Name).Append('=');
            sb.Append(row.GetValue(column) switch
            {
                null => "<null>",
                decimal d => d.ToString(CultureInfo.InvariantCulture),
                DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
                var v => v.ToString(),
            });
            sb.Append('\u001f');
        }

        foreach (var (key, value) in row.NormalizedTags)
        {
            sb.Append(key).Append(':').Append(value).Append(';');
        }

        sb.Append('|').Append(row.SourceFile ?? "<null>").Append('|').Append(row.SourceLine.ToString(CultureInfo.InvariantCulture));
        return sb.Append('\n').ToString();
    }

    /// <summary>Feeds one row into a running hash.</summary>
    public static void Append(IncrementalHash hash, FocusRow row) => hash.AppendData(Encoding.UTF8.GetBytes(Render(row)));

    /// <summary>SHA-256 (hex) of the canonical rendering of all rows.</summary>
    public static string Sha256(IEnumerable<FocusRow> rows)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in rows)
        {
            Append(hash, row);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
