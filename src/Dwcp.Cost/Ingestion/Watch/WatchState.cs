using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dwcp.Cost.Ingestion.Watch;

/// <summary>One file of an imported delivery.</summary>
/// <param name="Path">Path relative to the watched folder.</param>
/// <param name="Size">Size in bytes when imported.</param>
/// <param name="Sha256">SHA-256 of its bytes.</param>
public sealed record ImportedFileRecord(string Path, long Size, string Sha256);

/// <summary>The version of a delivery that is loaded.</summary>
/// <param name="Layout">The layout name.</param>
/// <param name="Version">assemblyId, executionId, runId, or empty for a loose file.</param>
/// <param name="Fingerprint">The delivery's fingerprint when imported.</param>
/// <param name="Files">Its files.</param>
/// <param name="LoadId">The store load that holds it, or null when it was already loaded (identical files).</param>
/// <param name="ImportedAtUtc">When.</param>
/// <param name="Superseded">Earlier versions this one replaced (never imported again).</param>
public sealed record ImportedDelivery(string Layout, string Version, string Fingerprint, IReadOnlyList<ImportedFileRecord> Files, long? LoadId, DateTimeOffset ImportedAtUtc, IReadOnlyList<string> Superseded);

/// <summary>A delivery whose import failed; retried only when its fingerprint changes.</summary>
/// <param name="Version">The version that failed.</param>
/// <param name="Fingerprint">Its fingerprint then.</param>
/// <param name="Message">What went wrong (file, line, column).</param>
/// <param name="FailedAtUtc">When.</param>
public sealed record FailedDelivery(string Version, string Fingerprint, string Message, DateTimeOffset FailedAtUtc);

/// <summary>The state of one watched folder.</summary>
public sealed class WatchedFolderState
{
    /// <summary>Loaded deliveries by key.</summary>
    public Dictionary<string, ImportedDelivery> Imported { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Failed deliveries by key.</summary>
    public Dictionary<string, FailedDelivery> Failed { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>
/// What the watcher has imported, kept in <c>&lt;data&gt;/watch-state.json</c> so a restarted watcher does not import
/// again. Written atomically (a temporary file renamed over the old one): a crash leaves the old state or the new one.
/// </summary>
public sealed class WatchState
{
    /// <summary>The file name inside the data folder.</summary>
    public const string FileName = "watch-state.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Format version.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>State per watched folder (absolute path).</summary>
    public Dictionary<string, WatchedFolderState> Folders { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The state of <paramref name="folder"/>, created when absent.</summary>
    public WatchedFolderState For(string folder)
    {
        var key = Path.GetFullPath(folder);
        if (!Folders.TryGetValue(key, out var s))
        {
            Folders[key] = s = new WatchedFolderState();
        }

        return s;
    }

    /// <summary>Reads the state file, or returns an empty state when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not valid state JSON; the message says where and what to do.</exception>
    public static WatchState Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            return new WatchState();
        }

        try
        {
            using var stream = File.OpenRead(path);
            var state = JsonSerializer.Deserialize<WatchState>(stream, Json) ?? new WatchState();
            if (state.FormatVersion != 1)
            {
                throw new InvalidDataException($"{path}: format version {state.FormatVersion} is not supported by this dwcp (expected 1). Use the dwcp that wrote it, or delete the file to start over.");
            }

            return state;
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? string.Create(CultureInfo.InvariantCulture, $" line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}") : string.Empty;
            throw new InvalidDataException($"{path}{where}: the watch state is not valid JSON. Delete it to start over: deliveries already loaded are recognised by their SHA-256 and are not loaded twice.", ex);
        }
    }

    /// <summary>Writes the state atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = $"{path}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, this, Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }
}
