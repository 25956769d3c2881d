using System.Globalization;
using System.Text.Json;

namespace Dwcp.Cost.Ingestion.Watch;

/// <summary>A manifest that cannot be used: names the file, the line and column where known, and what to do.</summary>
public sealed class ManifestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ManifestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ManifestException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ManifestException()
        : base("The manifest cannot be used.")
    {
    }
}

/// <summary>The fields of a provider manifest the watcher uses.</summary>
/// <param name="Layout">Which layout the manifest belongs to (decided by its fields).</param>
/// <param name="Version">assemblyId (AWS CUR), executionId (AWS Data Exports) or runId (Azure); null when absent.</param>
/// <param name="Files">The listed data files: S3 keys, S3 URIs or blob names, as written.</param>
/// <param name="Sizes">Announced byte counts per listed file (Azure <c>byteCount</c>), same order, null when absent.</param>
/// <param name="SubmittedUtc">When the run was submitted (Azure <c>runInfo.submittedTime</c>), if given.</param>
public sealed record ProviderManifest(DeliveryLayout Layout, string? Version, IReadOnlyList<string> Files, IReadOnlyList<long?> Sizes, DateTimeOffset? SubmittedUtc);

/// <summary>
/// Reads AWS CUR, AWS Data Exports and Azure export manifests. The layout is decided by the fields present:
/// <c>reportKeys</c> (AWS legacy CUR), <c>dataFiles</c> (AWS Data Exports) or <c>blobs</c> (Azure exports).
/// </summary>
public static class ManifestParsers
{
    /// <summary>Parses the manifest at <paramref name="path"/>.</summary>
    /// <exception cref="ManifestException">Not JSON, or none of the known list fields, or a malformed list.</exception>
    public static ProviderManifest Parse(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}")
                : string.Empty;
            throw new ManifestException($"{path}{where}: not valid JSON ({FirstSentence(ex.Message)}). The delivery is retried when the manifest changes; if the provider is still writing it, wait for the next scan.", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ManifestException($"{path} line 1, column 1: a manifest must be a JSON object, found {root.ValueKind}.");
            }

            if (root.TryGetProperty("reportKeys", out var keys))
            {
                return new ProviderManifest(DeliveryLayout.AwsCur, String(root, "assemblyId"), Strings(path, keys, "reportKeys"), [], null);
            }

            if (root.TryGetProperty("dataFiles", out var dataFiles))
            {
                var files = Strings(path, dataFiles, "dataFiles");
                return new ProviderManifest(DeliveryLayout.AwsDataExport, String(root, "executionId"), files, [], null);
            }

            if (root.TryGetProperty("blobs", out var blobs))
            {
                return ParseAzure(path, root, blobs);
            }

            throw new ManifestException($"{path}: a manifest without 'reportKeys' (AWS CUR), 'dataFiles' (AWS Data Exports) or 'blobs' (Azure exports). Check that this is a provider manifest; rename it if it is not.");
        }
    }

    private static ProviderManifest ParseAzure(string path, JsonElement root, JsonElement blobs)
    {
        if (blobs.ValueKind != JsonValueKind.Array)
        {
            throw new ManifestException($"{path}: 'blobs' must be an array of {{\"blobName\": …}} objects.");
        }

        var names = new List<string>();
        var sizes = new List<long?>();
        var i = 0;
        foreach (var b in blobs.EnumerateArray())
        {
            if (b.ValueKind != JsonValueKind.Object || !b.TryGetProperty("blobName", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } n)
            {
                throw new ManifestException($"{path}: blobs[{i}] has no 'blobName' string. Each blob must name its file.");
            }

            names.Add(n);
            sizes.Add(b.TryGetProperty("byteCount", out var bc) && bc.ValueKind == JsonValueKind.Number && bc.TryGetInt64(out var size) ? size : null);
            i++;
        }

        string? runId = null;
        DateTimeOffset? submitted = null;
        if (root.TryGetProperty("runInfo", out var run) && run.ValueKind == JsonValueKind.Object)
        {
            runId = String(run, "runId");
            if (String(run, "submittedTime") is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            {
                submitted = t;
            }
        }

        return new ProviderManifest(DeliveryLayout.AzureExport, runId, names, sizes, submitted);
    }

    private static string[] Strings(string path, JsonElement array, string field)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new ManifestException($"{path}: '{field}' must be an array of strings, found {array.ValueKind}.");
        }

        var list = new List<string>();
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String || e.GetString() is not { Length: > 0 } s)
            {
                throw new ManifestException($"{path}: {field}[{i}] is not a non-empty string.");
            }

            list.Add(s);
            i++;
        }

        return [.. list];
    }

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (i > 0 ? message[..i] : message).TrimEnd('.');
    }
}
