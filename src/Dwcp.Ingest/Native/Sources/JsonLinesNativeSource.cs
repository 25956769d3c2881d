using System.Globalization;
using System.Text.Json;
using Dwcp.Ingest.Csv;

namespace Dwcp.Ingest.Native.Sources;

/// <summary>
/// Records of a newline-delimited JSON export (BigQuery's JSON export of the GCP billing table): one object per line.
/// Nested objects are flattened with dots (<c>service.description</c>), so the names match the flattened CSV export;
/// arrays (<c>labels</c>, <c>credits</c>, …) are kept as their JSON text; null is an absent cell.
/// </summary>
internal sealed class JsonLinesNativeSource : NativeSource
{
    private readonly TextReader _text;
    private readonly int _maxRecordChars;
    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _ids = new(StringComparer.OrdinalIgnoreCase);
    private string?[] _values = new string?[64];
    private string? _pendingLine;
    private readonly long _pendingLineNumber;
    private long _physicalLine;
    private long _line;
    private string? _problem;
    private string? _rawLine;

    public JsonLinesNativeSource(string path, bool gzip, FocusReaderOptions options)
        : base(path)
    {
        _maxRecordChars = options.MaxRecordChars;
        _text = TextInput.Open(path, path, gzip ? IngestFormat.CsvGzip : IngestFormat.Csv, out _);
        try
        {
            // The first object defines the initial column names (used for format detection).
            _pendingLine = NextNonBlank(out _pendingLineNumber);
            if (_pendingLine is null)
            {
                throw new IngestException(new IngestError(path, 0, null, null, "The file is empty (it has no JSON record).",
                    "Export or download the file again."));
            }

            Parse(_pendingLine);
        }
        catch
        {
            _text.Dispose();
            throw;
        }
    }

    public override IReadOnlyList<string> Names => _names;

    public override IngestFormat Container => IngestFormat.JsonLines;

    public override long Line => _line;

    public override string? RecordProblem => _problem;

    public override string? RecordProblemHint => _problem is null ? null : "Each line must be one complete JSON object (newline-delimited JSON).";

    public override int IdOf(string name) => _ids.TryGetValue(name, out var id) ? id : Register(name);

    public override bool Read(CancellationToken cancellationToken)
    {
        string? line;
        if (_pendingLine is not null)
        {
            line = _pendingLine;
            _line = _pendingLineNumber;
            _pendingLine = null;
        }
        else
        {
            line = NextNonBlank(out _line);
            if (line is null)
            {
                return false;
            }
        }

        _rawLine = line;
        Parse(line);
        return true;
    }

    public override ReadOnlySpan<char> Get(int id) => id >= 0 && id < _values.Length ? _values[id] : [];

    public override void WriteRaw(RejectedRowsWriter writer) => writer.WriteField(_rawLine, quoted: true);

    private string? NextNonBlank(out long lineNumber)
    {
        while (true)
        {
            var line = _text.ReadLine();
            _physicalLine++;
            lineNumber = _physicalLine;
            if (line is null)
            {
                return null;
            }

            if (line.Length > _maxRecordChars)
            {
                throw new IngestException(new IngestError(File, lineNumber, null, null,
                    string.Create(CultureInfo.InvariantCulture, $"Line {lineNumber} is longer than {_maxRecordChars:N0} characters."),
                    "Check that this is newline-delimited JSON (one record per line); raise MaxRecordChars if records really are this long."));
            }

            if (!string.IsNullOrWhiteSpace(line))
            {
                return line;
            }
        }
    }

    private void Parse(string line)
    {
        Array.Clear(_values);
        _problem = null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                _problem = "The line is not a JSON object.";
                return;
            }

            Flatten(doc.RootElement, null);
        }
        catch (JsonException ex)
        {
            _problem = $"The line is not valid JSON ({ex.Message}).";
        }
    }

    private void Flatten(JsonElement obj, string? prefix)
    {
        foreach (var p in obj.EnumerateObject())
        {
            var name = prefix is null ? p.Name : prefix + "." + p.Name;
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    Flatten(p.Value, name);
                    break;
                case JsonValueKind.Null or JsonValueKind.Undefined:
                    break;
                case JsonValueKind.String:
                    Set(name, p.Value.GetString());
                    break;
                default:
                    // Numbers keep their exact text; arrays and booleans their JSON text.
                    Set(name, p.Value.GetRawText());
                    break;
            }
        }
    }

    private void Set(string name, string? value)
    {
        var id = IdOf(name);
        _values[id] = value;
    }

    private int Register(string name)
    {
        var id = _names.Count;
        _names.Add(name);
        _ids[name] = id;
        if (id >= _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        return id;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _text.Dispose();
        }
    }
}
