using System.Globalization;
using System.Text;

namespace Dwcp.Ingest;

/// <summary>The container format of a billing file, detected from its content.</summary>
public enum IngestFormat
{
    /// <summary>Plain CSV text (UTF-8, optional BOM).</summary>
    Csv,
    /// <summary>Gzip-compressed CSV text, whatever the file name.</summary>
    CsvGzip,
    /// <summary>Apache Parquet.</summary>
    Parquet,
    /// <summary>Newline-delimited JSON (one object per line), plain or gzip; native billing exports only (GCP).</summary>
    JsonLines,
}

/// <summary>
/// One problem found in a billing file: where it is and what to do about it.
/// </summary>
/// <param name="File">The file, as passed to <see cref="FocusFileReader.Open"/>.</param>
/// <param name="Line">1-based physical line where the record starts (1 for the header, 0 when unknown or for Parquet).</param>
/// <param name="Column">The column name as delivered in the header, or null when the problem is not about one column.</param>
/// <param name="Value">The offending value (shortened to 200 characters), or null.</param>
/// <param name="Message">What is wrong, as a sentence.</param>
/// <param name="Hint">What the user can do, as a sentence, or null.</param>
public sealed record IngestError(string File, long Line, string? Column, string? Value, string Message, string? Hint)
{
    /// <summary>0-based Parquet row group, for Parquet files.</summary>
    public int? RowGroup { get; init; }

    /// <summary>0-based row within <see cref="RowGroup"/>, for Parquet files.</summary>
    public long? Row { get; init; }

    /// <summary>Where the problem is, e.g. <c>focus.csv line 17, column BilledCost</c>.</summary>
    public string Location
    {
        get
        {
            var sb = new StringBuilder(File);
            if (RowGroup is { } group)
            {
                sb.Append(CultureInfo.InvariantCulture, $" row group {group}");
                if (Row is { } row)
                {
                    sb.Append(CultureInfo.InvariantCulture, $", row {row}");
                }
            }
            else if (Line > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" line {Line}");
            }

            if (Column is not null)
            {
                sb.Append(", column ").Append(Column);
            }

            return sb.ToString();
        }
    }

    /// <summary>The complete sentence for the user: location, message and hint.</summary>
    public override string ToString() => Hint is null ? $"{Location}: {Message}" : $"{Location}: {Message} {Hint}";

    /// <summary>Shortens a value for messages (values can be up to a megabyte long).</summary>
    internal static string Shorten(ReadOnlySpan<char> value) =>
        value.Length <= 200 ? value.ToString() : string.Concat(value[..200], "…");
}

/// <summary>A fatal problem: the file cannot be read at all. <see cref="Exception.Message"/> is the full sentence.</summary>
public sealed class IngestException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public IngestException(IngestError error)
        : base((error ?? throw new ArgumentNullException(nameof(error))).ToString()) => Error = error;

    /// <summary>Creates the exception for <paramref name="error"/> caused by <paramref name="inner"/>.</summary>
    public IngestException(IngestError error, Exception? inner)
        : base((error ?? throw new ArgumentNullException(nameof(error))).ToString(), inner) => Error = error;

    /// <summary>The problem, with its location and hint.</summary>
    public IngestError Error { get; }

    /// <inheritdoc/>
    public IngestException()
        : this(new IngestError("", 0, null, null, "The file could not be read.", null))
    {
    }

    /// <inheritdoc/>
    public IngestException(string message)
        : this(new IngestError("", 0, null, null, message, null))
    {
    }

    /// <inheritdoc/>
    public IngestException(string message, Exception? innerException)
        : this(new IngestError("", 0, null, null, message, null), innerException)
    {
    }
}
