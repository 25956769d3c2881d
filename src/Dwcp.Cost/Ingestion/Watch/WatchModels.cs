namespace Dwcp.Cost.Ingestion.Watch;

/// <summary>The delivery layouts the watcher recognises.</summary>
public enum DeliveryLayout
{
    /// <summary>AWS legacy CUR: <c>&lt;prefix&gt;/&lt;report&gt;/&lt;yyyyMMdd-yyyyMMdd&gt;/&lt;assemblyId&gt;/</c>, a manifest with <c>reportKeys</c>.</summary>
    AwsCur,
    /// <summary>AWS Data Exports (CUR 2.0): <c>metadata/BILLING_PERIOD=YYYY-MM/…Manifest.json</c> with <c>dataFiles</c>.</summary>
    AwsDataExport,
    /// <summary>Azure Cost Management export run with a <c>manifest.json</c> listing its blobs.</summary>
    AzureExport,
    /// <summary>Older Azure export run: one CSV in <c>&lt;YYYYMMDD-YYYYMMDD&gt;/&lt;runId&gt;/</c>, no manifest.</summary>
    AzureExportLegacy,
    /// <summary>Any other billing file (FOCUS or native) dropped in the folder: a delivery by itself.</summary>
    SingleFile,
}

/// <summary>What the watcher did with one delivery in one scan.</summary>
public enum DeliveryStatus
{
    /// <summary>Imported in this scan (a new load, or confirmed identical to what is loaded).</summary>
    Imported,
    /// <summary>Already imported and unchanged.</summary>
    Unchanged,
    /// <summary>Not complete yet (a listed file is missing or still changing).</summary>
    Waiting,
    /// <summary>Import failed in this scan; nothing of it landed.</summary>
    Failed,
    /// <summary>Failed earlier and its files have not changed since: not retried.</summary>
    FailedUnchanged,
}

/// <summary>One file of a delivery, as found on disk.</summary>
/// <param name="Path">Absolute path.</param>
/// <param name="Exists">False when a manifest lists it but it is not (yet) there.</param>
/// <param name="Size">Size in bytes (0 when missing).</param>
/// <param name="LastWriteUtc">Last write time (default when missing).</param>
/// <param name="ExpectedSize">The size the manifest announces, when it does (Azure <c>byteCount</c>).</param>
public sealed record DeliveryFile(string Path, bool Exists, long Size, DateTime LastWriteUtc, long? ExpectedSize = null);

/// <summary>
/// One delivery found in the watched folder: the newest complete version of one billing period of one report or
/// export (or one loose file).
/// </summary>
/// <param name="Key">Stable identity across versions, e.g. <c>aws-cur:cur/myreport/20231101-20231201</c> (paths relative to the watched folder).</param>
/// <param name="Layout">The provider layout.</param>
/// <param name="Version">assemblyId, executionId or runId; for a loose file, empty.</param>
/// <param name="Manifest">The manifest the delivery comes from, or null.</param>
/// <param name="Files">The data files of the delivery (exactly the manifest's list).</param>
/// <param name="Fingerprint">Changes whenever the manifest or a file changes (path, size, write time).</param>
/// <param name="Ready">True when every file exists with a settled size.</param>
/// <param name="WaitingFor">Why it is not ready, or null.</param>
public sealed record WatchDelivery(string Key, DeliveryLayout Layout, string Version, string? Manifest, IReadOnlyList<DeliveryFile> Files, string Fingerprint, bool Ready, string? WaitingFor)
{
    /// <summary>Short human label, e.g. <c>aws-cur cur/r/20231101-20231201 (assembly 7f…)</c>.</summary>
    public string Label => Version.Length == 0 ? Key : $"{Key} ({Version})";
}

/// <summary>A manifest or layout problem found while scanning (bad JSON, missing fields).</summary>
/// <param name="Key">The delivery it blocks.</param>
/// <param name="Path">The file at fault.</param>
/// <param name="Fingerprint">The file's fingerprint (the problem is reported again only when it changes).</param>
/// <param name="Message">What is wrong and where (file, line, column), and what to do.</param>
public sealed record ScanProblem(string Key, string Path, string Fingerprint, string Message);

/// <summary>What happened to one delivery in one scan.</summary>
/// <param name="Key">Delivery key.</param>
/// <param name="Layout">Layout.</param>
/// <param name="Version">Version (assemblyId, executionId, runId) or empty.</param>
/// <param name="Status">Outcome.</param>
/// <param name="Message">One sentence for the user.</param>
/// <param name="Errors">File errors (file, line, column) when it failed.</param>
/// <param name="Import">The import result, when an import ran.</param>
public sealed record DeliveryOutcome(string Key, DeliveryLayout Layout, string Version, DeliveryStatus Status, string Message, IReadOnlyList<string> Errors, ImportResult? Import);

/// <summary>The outcome of one scan of the watched folder.</summary>
/// <param name="Folder">The watched folder.</param>
/// <param name="Deliveries">One outcome per delivery found.</param>
public sealed record WatchScanReport(string Folder, IReadOnlyList<DeliveryOutcome> Deliveries)
{
    /// <summary>True when a delivery failed in this scan.</summary>
    public bool HasFailures => Deliveries.Any(d => d.Status == DeliveryStatus.Failed);

    /// <summary>Deliveries imported in this scan.</summary>
    public int ImportedCount => Deliveries.Count(d => d.Status == DeliveryStatus.Imported);
}
