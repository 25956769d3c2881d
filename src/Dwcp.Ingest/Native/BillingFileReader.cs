using Dwcp.Core.Focus;
using Dwcp.Ingest.Csv;
using Dwcp.Ingest.Native.Aws;
using Dwcp.Ingest.Native.Azure;
using Dwcp.Ingest.Native.Gcp;
using Dwcp.Ingest.Native.Others;
using Dwcp.Ingest.Native.Sources;

namespace Dwcp.Ingest.Native;

/// <summary>
/// Reads a billing export in FOCUS or in a provider's native format (AWS CUR and CUR 2.0, Azure EA/MCA cost details,
/// GCP billing export, OCI cost report, IBM usage report, Alibaba bill details) as a stream of FOCUS 1.2
/// <see cref="FocusRow"/>s. The format comes from <see cref="BillingReaderOptions.SourceFormat"/> or is detected from
/// the header; FOCUS files go through <see cref="FocusFileReader"/> unchanged.
/// </summary>
/// <remarks>
/// Same conventions as <see cref="FocusFileReader"/>: memory does not grow with the file; problems that make the file
/// unusable (unknown header, mixed billing currencies, truncation) throw <see cref="IngestException"/>; bad rows are
/// reported in <see cref="Report"/> and not yielded. Source columns that the mapping does not copy verbatim are kept in
/// <see cref="FocusRow.Extensions"/> as <c>x_&lt;source column&gt;</c>. See docs/ingest-native.md.
/// </remarks>
/// <example>
/// <code>
/// using var reader = BillingFileReader.Open("cur.csv.gz", new BillingReaderOptions());
/// foreach (var row in reader.ReadRows()) { total += row.BilledCost!.Value; }
/// Console.WriteLine(reader.Report.SourceFormat);   // AwsCur
/// </code>
/// </example>
public sealed class BillingFileReader : IDisposable
{
    private readonly FocusFileReader? _focus;
    private readonly NativeRowSource? _native;
    private bool _started;
    private bool _disposed;

    private BillingFileReader(string path, SourceFormat format, FocusFileReader? focus, NativeRowSource? native, IngestReport report)
    {
        Path = path;
        Format = format;
        _focus = focus;
        _native = native;
        Report = report;
    }

    /// <summary>The file, as passed to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>The format read (requested or detected); also in <see cref="IngestReport.SourceFormat"/>.</summary>
    public SourceFormat Format { get; }

    /// <summary>The column names of the file as delivered (for JSON: the keys of the first record, flattened with dots).</summary>
    public IReadOnlyList<string> Columns => _focus?.Columns ?? _native!.Header;

    /// <summary>Counts, errors, warnings and the format; complete once <see cref="ReadRows"/> has been enumerated to the end.</summary>
    public IngestReport Report { get; }

    /// <summary>Opens <paramref name="path"/>, determines its format and prepares the mapping.</summary>
    /// <exception cref="IngestException">
    /// The file is missing, empty or binary; its header matches no supported format (the message lists the formats tried
    /// and the closest match) or lacks columns of the requested format.
    /// </exception>
    public static BillingFileReader Open(string path, BillingReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new BillingReaderOptions();
        var focusOptions = options.ToFocusOptions();
        focusOptions.Validate();
        var container = TextInput.Detect(path, path);
        var requested = options.SourceFormat;
        if (requested is { } f && SourceFormats.IsFocus(f))
        {
            return OpenFocus(path, f, focusOptions);
        }

        var json = container != IngestFormat.Parquet && TextLooksLikeJson(path, container);
        var report = new IngestReport(path, json ? IngestFormat.JsonLines : container, focusOptions.MaxErrors);
        NativeSource? source = null;
        try
        {
            source = container == IngestFormat.Parquet ? ParquetNativeSource.Open(path, report)
                : json ? new JsonLinesNativeSource(path, container == IngestFormat.CsvGzip, focusOptions)
                : new CsvNativeSource(path, container, focusOptions, report);
            var header = source.Names.ToArray();
            SourceFormat format;
            if (requested is { } r)
            {
                FormatDetector.Require(r, header, path);
                format = r;
            }
            else
            {
                format = FormatDetector.Detect(header, path);
            }

            if (SourceFormats.IsFocus(format))
            {
                source.Dispose();
                source = null;
                return OpenFocus(path, format, focusOptions);
            }

            var mapper = CreateMapper(format, path, container, options, focusOptions);
            report.SourceFormat = format;
            var native = new NativeRowSource(source, mapper, format, focusOptions, report);
            report.SourceVariant = native.Variant;
            return new BillingFileReader(path, format, null, native, report);
        }
        catch (IngestException ex)
        {
            source?.Dispose();
            report.FatalError = ex.Error;
            throw;
        }
        catch
        {
            source?.Dispose();
            throw;
        }
    }

    private static BillingFileReader OpenFocus(string path, SourceFormat format, FocusReaderOptions options)
    {
        var focus = FocusFileReader.Open(path, options);
        focus.Report.SourceFormat = format;
        return new BillingFileReader(path, format, focus, null, focus.Report);
    }

    private static bool TextLooksLikeJson(string path, IngestFormat container)
    {
        using var text = TextInput.Open(path, path, container, out _);
        int c;
        while ((c = text.Read()) >= 0)
        {
            if (!char.IsWhiteSpace((char)c))
            {
                return c == '{';
            }
        }

        return false;
    }

    private static NativeMapper CreateMapper(
        SourceFormat format, string path, IngestFormat container, BillingReaderOptions options, FocusReaderOptions focusOptions) => format switch
    {
        SourceFormat.AwsCur => new AwsCurMapper(cur2: false),
        SourceFormat.AwsCur2 => new AwsCurMapper(cur2: true),
        SourceFormat.AzureEa or SourceFormat.AzureMca => new AzureCostMapper(
            options.AzureCostKind ?? AzureCostMapper.DetectKind(path, container, focusOptions)),
        SourceFormat.Gcp => new GcpBillingMapper(),
        SourceFormat.Oci => new OciCostMapper(),
        SourceFormat.Ibm => new IbmUsageMapper(),
        SourceFormat.Alibaba => new AlibabaBillMapper(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a native format."),
    };

    /// <summary>Streams the FOCUS rows of the file. Can be called once; bad rows are reported in <see cref="Report"/>.</summary>
    /// <exception cref="IngestException">
    /// The file turns out to be unusable part-way: truncated, a record too long, or (native formats) a second billing
    /// currency where the format allows one. The caller must then discard the rows already read.
    /// </exception>
    public IEnumerable<FocusRow> ReadRows(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_started)
        {
            throw new InvalidOperationException("ReadRows can be called only once per reader; open the file again to re-read it.");
        }

        _started = true;
        return _focus is not null ? _focus.ReadRows(cancellationToken) : Iterate(cancellationToken);
    }

    private IEnumerable<FocusRow> Iterate(CancellationToken cancellationToken)
    {
        using var rows = _native!.Rows(cancellationToken).GetEnumerator();
        while (true)
        {
            FocusRow row;
            try
            {
                if (!rows.MoveNext())
                {
                    yield break;
                }

                row = rows.Current;
            }
            catch (IngestException ex)
            {
                Report.FatalError ??= ex.Error;
                throw;
            }

            yield return row;
        }
    }

    /// <summary>Closes the file and the rejected-rows sidecar.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _focus?.Dispose();
            _native?.Dispose();
        }
    }
}
