using System.Security.Cryptography;

namespace Dwcp.Ingest;

/// <summary>File fingerprints for lineage and de-duplication of loaded files.</summary>
public static class FileHasher
{
    /// <summary>The SHA-256 of the file's bytes as 64 lower-case hex digits, read as a stream (any file size).</summary>
    public static string Sha256Hex(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
