using Dwcp.Core.Focus;
using Dwcp.Ingest.Native.Sources;

namespace Dwcp.Ingest.Native;

/// <summary>FOCUS rows from a native export: records from a <see cref="NativeSource"/>, converted by a <see cref="NativeMapper"/>.</summary>
internal sealed class NativeRowSource : RowSource
{
    private readonly NativeSource _source;
    private readonly NativeMapper _mapper;
    private readonly NativeRowContext _context;
    private readonly string[] _header;

    public NativeRowSource(NativeSource source, NativeMapper mapper, SourceFormat format, FocusReaderOptions options, IngestReport report)
        : base(source.File, options, report)
    {
        _source = source;
        _mapper = mapper;
        _header = [.. source.Names];
        _context = new NativeRowContext(source, report, options, format);
        mapper.Bind(_context);
    }

    public override IReadOnlyList<string> Header => _header;

    public string? Variant => _mapper.Variant;

    protected override IReadOnlyList<string> RejectedHeader => _source.Container == IngestFormat.JsonLines ? ["json"] : _header;

    public override IEnumerable<FocusRow> Rows(CancellationToken cancellationToken)
    {
        while (_source.Read(cancellationToken))
        {
            if ((Report.RowsRead & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            Report.RowsRead++;
            var row = _context.Begin();
            bool ok;
            if (_source.RecordProblem is { } problem)
            {
                _context.FailRecord(problem, _source.RecordProblemHint);
                ok = false;
            }
            else
            {
                _mapper.Map(_context, row);
                ok = _context.End();
            }

            if (ok)
            {
                yield return row;
            }
            else if (Reject(_source.Line, _context.Errors, _source.WriteRaw))
            {
                yield break;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }

        base.Dispose(disposing);
    }
}
