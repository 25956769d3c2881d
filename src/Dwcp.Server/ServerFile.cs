using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dwcp.Server;

/// <summary>
/// <c>server.json</c> in the data folder: the URL of the server that holds the folder's store. DuckDB lets one process
/// open the file, so other commands on the folder read this and go through the server over HTTP.
/// </summary>
public sealed record ServerFile(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("data_dir")] string DataDir)
{
    /// <summary>The file name.</summary>
    public const string FileName = "server.json";

    /// <summary>Writes the file atomically (temp file, then rename).</summary>
    public void Write(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, FileName);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads the file if it names a process that is still alive; removes a stale file.</summary>
    public static ServerFile? ReadLive(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        ServerFile? file;
        try
        {
            file = JsonSerializer.Deserialize<ServerFile>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }

        if (file is null || !IsAlive(file.Pid))
        {
            TryDelete(path);
            return null;
        }

        return file;
    }

    /// <summary>Removes the file if it is this process's.</summary>
    public static void RemoveIfOwned(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        try
        {
            var file = JsonSerializer.Deserialize<ServerFile>(File.ReadAllText(path));
            if (file?.Pid == Environment.ProcessId)
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            // Nothing to clean up.
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Another process may be replacing it.
        }
    }
}
