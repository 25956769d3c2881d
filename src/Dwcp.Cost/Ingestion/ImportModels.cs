using Dwcp.Ingest;
using Dwcp.Storage;

namespace Dwcp.Cost.Ingestion;

/// <summary>How to import.</summary>
public sealed record ImportOptions
{
    /// <summary>Load the good rows of files with bad rows; the bad ones go to a sidecar CSV with their reasons.</summary>
    public bool SkipInvalidRows { get; init; }

    /// <summary>Folder for sidecar files of rejected rows (default: <c>rejected/</c> in the data folder).</summary>
    public required string RejectedDir { get; init; }

    /// <summary>Shown in the load history.</summary>
    public string Description { get; init; } = "ingest";

    /// <summary>The format of every file (<c>--source-format</c>), or null to detect each file's from its header.</summary>
    public Dwcp.Ingest.Native.SourceFormat? SourceFormat { get; init; }

    /// <summary>Tag-key normalisation and inheritance applied to every row's normalised tags (the raw Tags column is kept).</summary>
    public Dwcp.Core.Costs.TagPolicy TagPolicy { get; init; } = Dwcp.Core.Costs.TagPolicy.None;

    /// <summary>For Azure cost details: actual or amortized, or null to decide per file.</summary>
    public Dwcp.Ingest.Native.AzureCostKind? AzureCostKind { get; init; }
}

/// <summary>What happened to one file.</summary>
public enum FileImportStatus
{
    /// <summary>Its rows were part of the committed delivery.</summary>
    Loaded,
    /// <summary>An identical file (same SHA-256) is already loaded and current; nothing changed.</summary>
    AlreadyLoaded,
    /// <summary>It had errors; none of its rows landed.</summary>
    Rejected,
    /// <summary>It was fine, but another file of the same delivery was rejected, so nothing landed.</summary>
    NotLoaded,
}

/// <summary>One file's outcome.</summary>
public sealed record FileImportResult(
    string Path,
    string Sha256,
    FileImportStatus Status,
    string Format,
    long RowsRead,
    long RowsLoaded,
    long RowsRejected,
    IReadOnlyDictionary<string, long> Warnings,
    IReadOnlyList<IngestError> Errors,
    long ErrorCount,
    string? RejectedRowsFile,
    long? AlreadyLoadedIn);

/// <summary>The outcome of one ingest call (one delivery).</summary>
/// <param name="Committed">True when the delivery's rows are now visible.</param>
/// <param name="Message">One sentence for the user.</param>
/// <param name="Files">Each file's outcome.</param>
/// <param name="Load">The committed load, or null.</param>
public sealed record ImportResult(bool Committed, string Message, IReadOnlyList<FileImportResult> Files, LoadSummary? Load)
{
    /// <summary>True when a file was rejected (the command should exit 1).</summary>
    public bool HasRejections => Files.Any(f => f.Status == FileImportStatus.Rejected);
}

/// <summary>Progress of an import, for progress bars.</summary>
public sealed record ImportProgress(string File, int FileIndex, int FileCount, long RowsRead, long BytesRead, long BytesTotal);
