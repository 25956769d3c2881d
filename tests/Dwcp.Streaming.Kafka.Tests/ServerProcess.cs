using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dwcp.Streaming.Kafka.Tests;

/// <summary>The real server (<c>dotnet dwcp.dll serve</c>) as a child process on a free 127.0.0.1 port.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private ServerProcess(Process process, Uri url, StringBuilder output)
    {
        _process = process;
        _output = output;
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Url { get; }

    public HttpClient Http { get; }

    public int Pid => _process.Id;

    /// <summary>What the server wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server on <paramref name="data"/> and waits until it wrote its server.json and /health answers.</summary>
    public static async Task<ServerProcess> StartAsync(string data, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "dwcp.dll"), "serve", "--data", data, "--urls", "http://127.0.0.1:0" })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("DWCP_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        var process = Process.Start(psi)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var serverFile = Path.Combine(data, "server.json");
        for (var i = 0; i < 1200; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode}: {output}");
            }

            if (File.Exists(serverFile))
            {
                try
                {
                    var json = JsonDocument.Parse(await File.ReadAllTextAsync(serverFile)).RootElement;
                    if (json.GetProperty("pid").GetInt32() == process.Id)
                    {
                        return new ServerProcess(process, new Uri(json.GetProperty("url").GetString()!), output);
                    }
                }
                catch (Exception ex) when (ex is JsonException or IOException or KeyNotFoundException)
                {
                    // being written, or left by the killed process
                }
            }

            await Task.Delay(50);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"The server did not start within 60 s: {output}");
    }

    /// <summary>SIGKILL: no shutdown hook, no checkpoint, no flush.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>A counter from <c>/metrics</c>.</summary>
    public async Task<long> MetricAsync(string name)
    {
        var text = await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return long.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Stops gracefully (SIGTERM) and waits.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
