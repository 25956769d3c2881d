using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dwcp.Streaming;

namespace Dwcp.Bench.Streaming;

/// <summary>
/// HTTP NDJSON through the real server: the server (<c>dwcp serve</c>, write-ahead log on) runs as a child process on
/// 127.0.0.1; this process is the load generator. Reports accepted events/s, the server's accept→queryable latency
/// histogram (p50/p99 from <c>/metrics</c>), and the ratio to the naive LINQ GroupBy over the same events in this run.
/// </summary>
public static class HttpMode
{
    private const int BatchEvents = 5_000;

    /// <summary>Runs the benchmark (see the class summary).</summary>
    /// <param name="count">Events.</param>
    /// <param name="senders">Concurrent senders.</param>
    /// <param name="now">Run time (event times end here).</param>
    /// <param name="root">Repository root (results go to bench/results).</param>
    /// <param name="cliDll">The dwcp CLI assembly that serves.</param>
    /// <param name="skipBaseline">Tuning aid: no LINQ baseline and no result file (the timed HTTP part only).</param>
    /// <param name="serverEnv">Extra environment of the server process (e.g. <c>DOTNET_gcServer=1</c>), for measured GC settings.</param>
    /// <param name="eventMinutes">Minutes of event time the events span (30 by default).</param>
    public static async Task RunAsync(int count, int senders, DateTimeOffset now, string root, string cliDll, bool skipBaseline = false, IReadOnlyList<string>? serverEnv = null, int eventMinutes = 30)
    {
        var inv = CultureInfo.InvariantCulture;
        var events = BenchData.Generate(count, now, TimeSpan.FromMinutes(eventMinutes));
        var unique = events.DistinctBy(e => e.EventId).Count();
        var batches = events.Chunk(BatchEvents)
            .Select(chunk => Encoding.UTF8.GetBytes(string.Join('\n', chunk.Select(KafkaMode.Line)) + "\n"))
            .ToArray();
        Console.WriteLine($"{count:N0} events ({unique:N0} unique) in {batches.Length:N0} NDJSON batches of {BatchEvents:N0}, {batches.Sum(b => (long)b.Length) / 1e6:N0} MB; {senders} concurrent senders");

        var baseline = skipBaseline ? double.NaN : Baseline(events);
        Console.WriteLine($"  naive LINQ GroupBy baseline: {baseline:F3} s ({count / baseline:N0} events/s)");

        var data = Path.Combine(Path.GetTempPath(), "dwcp-bench-http-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        // Concurrent senders deliver batches out of event-time order, by up to about senders × batch events. The 30-minute
        // shape keeps the 5 minutes of lateness of earlier runs; denser shapes take the default 30 s when that covers three
        // times the disorder, so their windows close during the run as they would in production.
        var disorder = TimeSpan.FromSeconds(2 + (3.0 * senders * BatchEvents * eventMinutes * 60 / count));
        var lateness = eventMinutes == 30 ? TimeSpan.FromMinutes(5) : disorder > TimeSpan.FromSeconds(30) ? disorder : TimeSpan.FromSeconds(30);
        var (server, url) = await StartServerAsync(cliDll, data, lateness, serverEnv ?? []);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = senders }) { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
            var next = -1;
            long accepted = 0, retries = 0;
            var serverCpuBefore = ServerCpu(server);
            var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < batches.Length)
                {
                    while (true)
                    {
                        using var content = new ByteArrayContent(batches[i]);
                        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                        using var response = await http.PostAsync(new Uri("/api/v1/events", UriKind.Relative), content);
                        if (response.StatusCode == HttpStatusCode.TooManyRequests)
                        {
                            Interlocked.Increment(ref retries);
                            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(100));
                            continue;
                        }

                        if (response.StatusCode != HttpStatusCode.Accepted)
                        {
                            throw new InvalidOperationException($"batch {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }

                        using var body = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
                        Interlocked.Add(ref accepted, body.RootElement.GetProperty("accepted").GetInt64());
                        break;
                    }
                }
            }));
            watch.Stop();
            var serverCpu = ServerCpu(server) - serverCpuBefore;
            var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore).TotalSeconds;

            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var serverAccepted = Counter(metrics, "dwcp_events_accepted_total");
            var serverLate = Counter(metrics, "dwcp_events_late_total");
            var (p50, p99, observed) = Quantiles(metrics, "dwcp_event_queryable_latency_seconds");
            var rate = accepted / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"  HTTP: {watch.Elapsed.TotalSeconds:F3} s, {rate:N0} events/s accepted, {retries:N0} retries after 429; server counted {serverAccepted:N0} ({serverLate:N0} late); latency p50 ≤ {p50 * 1000:F0} ms, p99 ≤ {p99 * 1000:F0} ms over {observed:N0} batches");
            Console.WriteLine($"  CPU during the timed part: server {serverCpu:F1} s ({serverCpu * 1e6 / accepted:F1} µs/event), load generator {ownCpu:F1} s ({ownCpu * 1e6 / accepted:F1} µs/event); wall {watch.Elapsed.TotalSeconds:F1} s × {Environment.ProcessorCount} cores");
            Console.WriteLine("  latency histogram (le → batches): " + string.Join(", ", Histogram(metrics, "dwcp_event_queryable_latency_seconds")));
            if (accepted != unique || serverAccepted != unique)
            {
                throw new InvalidOperationException($"accepted {accepted} (server {serverAccepted}) events, expected {unique} unique");
            }

            if (skipBaseline)
            {
                return;
            }

            var stamp = now.ToString("yyyyMMdd-HHmm", inv);
            var text = new StringBuilder();
            text.AppendLine(inv, $"# Streaming engine over HTTP — {now:yyyy-MM-dd HH:mm} UTC");
            text.AppendLine();
            text.AppendLine(inv, $"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}. The server and this load generator share the same 2 cores. Shared machine: compare ratios, not absolute numbers.");
            text.AppendLine();
            text.AppendLine(inv, $"Data: {count:N0} events ({unique:N0} unique ids, 2% re-sent), {BenchData.Resources:N0} resources, {BenchData.MetricsPerEvent} metrics per event, {eventMinutes} minutes of event time ({count / (eventMinutes * 60.0):N0} events per second of event time; the sinks see every closed window, so fewer minutes mean fewer closed windows per event), NDJSON batches of {BatchEvents:N0} posted by {senders} concurrent senders to `POST /api/v1/events` of `dwcp serve` (child process, 127.0.0.1, write-ahead log with fsync per batch, allowed lateness {lateness.TotalSeconds:N0} s). Time = first POST until the last 202. Latency = the server's accept→queryable histogram from `/metrics` (bucket upper bounds).");
            text.AppendLine();
            text.AppendLine("| run | time | events/s | p50 latency | p99 latency |");
            text.AppendLine("|---|---|---|---|---|");
            text.AppendLine(inv, $"| HTTP NDJSON → dwcp serve | {watch.Elapsed.TotalSeconds:F3} s | {rate:N0} | ≤ {p50 * 1000:F0} ms | ≤ {p99 * 1000:F0} ms |");
            text.AppendLine(inv, $"| naive LINQ GroupBy baseline (in memory, same events) | {baseline:F3} s | {count / baseline:N0} | — | — |");
            text.AppendLine(inv, $"| **ratio HTTP / baseline** | | **{rate / (count / baseline):F2}×** | | |");
            text.AppendLine();
            text.AppendLine(inv, $"Goal (issue 4): ≥ 500,000 events/s with p99 ≤ 100 ms. Reached: {rate:N0} events/s, p99 ≤ {p99 * 1000:F0} ms. 429 retries: {retries:N0}. Late events (outside every window): {serverLate:N0}.");
            text.AppendLine();
            text.AppendLine(inv, $"CPU during the timed part: server {serverCpu:F1} s ({serverCpu * 1e6 / accepted:F1} µs per event), load generator {ownCpu:F1} s ({ownCpu * 1e6 / accepted:F1} µs per event), wall {watch.Elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} cores. Load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}.{(serverEnv is { Count: > 0 } ? " Server environment: " + string.Join(' ', serverEnv) + "." : "")}");
            text.AppendLine();
            text.AppendLine("Latency histogram (bucket upper bound → batches): " + string.Join(", ", Histogram(metrics, "dwcp_event_queryable_latency_seconds")) + ".");
            var path = Path.Combine(root, "bench", "results", eventMinutes == 30 ? $"streaming-http-{stamp}.md" : $"streaming-http-{stamp}-{eventMinutes}min.md");
            await File.WriteAllTextAsync(path, text.ToString());
            Console.WriteLine();
            Console.WriteLine(text);
            Console.WriteLine($"Written to {path}");
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", server.Id.ToString(inv)]))
            {
                await term.WaitForExitAsync();
            }

            if (!server.WaitForExit(30_000))
            {
                server.Kill(entireProcessTree: true);
            }

            server.Dispose();
            Directory.Delete(data, recursive: true);
        }
    }

    private static double Baseline(StreamEvent[] events)
    {
        GC.Collect();
        var watch = Stopwatch.StartNew();
        var rows = NaiveBaseline.Compute(events, [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)]);
        watch.Stop();
        GC.KeepAlive(rows);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>User + system CPU time of a (Linux) process so far, from /proc/&lt;pid&gt;/stat; 0 where unavailable.</summary>
    private static double ServerCpu(Process server)
    {
        var path = $"/proc/{server.Id}/stat";
        if (!File.Exists(path))
        {
            return 0;
        }

        var stat = File.ReadAllText(path);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
    }

    /// <summary>Non-cumulative bucket counts of a Prometheus histogram, as "≤ bound ms: n" for the buckets that hold any.</summary>
    private static List<string> Histogram(string metrics, string histogram)
    {
        var list = new List<string>();
        long previous = 0;
        foreach (var line in metrics.Split('\n').Where(l => l.StartsWith(histogram + "_bucket{le=\"", StringComparison.Ordinal)))
        {
            var le = line[(histogram.Length + 12)..line.IndexOf('"', histogram.Length + 12)];
            var cumulative = long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            if (cumulative > previous)
            {
                list.Add(le == "+Inf" ? $"> last: {cumulative - previous}" : $"≤ {double.Parse(le, CultureInfo.InvariantCulture) * 1000:0.#} ms: {cumulative - previous}");
            }

            previous = cumulative;
        }

        return list;
    }

    private static async Task<(Process Server, Uri Url)> StartServerAsync(string cliDll, string data, TimeSpan lateness, IReadOnlyList<string> serverEnv)
    {
        // A .dll runs under `dotnet` as is; anything else (bench.sh passes the ./dwcp launcher) runs itself, with the
        // runtime settings the launcher gives `serve`.
        var viaDotnet = cliDll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(viaDotnet ? "dotnet" : cliDll) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (viaDotnet ? new[] { cliDll } : []).Concat(["serve", "--data", data, "--urls", "http://127.0.0.1:0"]))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("DWCP_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["DWCP_STREAMING_ALLOWED_LATENESS"] = ((int)Math.Ceiling(lateness.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
        psi.Environment["DWCP_STREAMING_BUFFER_SIZE"] = "100000";
        foreach (var pair in serverEnv)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            psi.Environment[pair[..eq]] = pair[(eq + 1)..];
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("  server: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var serverFile = Path.Combine(data, "server.json");
        for (var i = 0; i < 1200; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode}.");
            }

            if (File.Exists(serverFile))
            {
                try
                {
                    var json = JsonDocument.Parse(await File.ReadAllTextAsync(serverFile)).RootElement;
                    return (process, new Uri(json.GetProperty("url").GetString()!));
                }
                catch (Exception ex) when (ex is JsonException or IOException or KeyNotFoundException)
                {
                    // still being written
                }
            }

            await Task.Delay(50);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException("The server did not start within 60 s.");
    }

    private static long Counter(string metrics, string name) =>
        long.Parse(metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);

    /// <summary>p50 and p99 as the upper bound of the histogram bucket holding them (Prometheus' cumulative buckets).</summary>
    private static (double P50, double P99, long Count) Quantiles(string metrics, string histogram)
    {
        var buckets = metrics.Split('\n')
            .Where(l => l.StartsWith(histogram + "_bucket{le=\"", StringComparison.Ordinal))
            .Select(l =>
            {
                var le = l[(histogram.Length + 12)..l.IndexOf('"', histogram.Length + 12)];
                var count = long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                return (Le: le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture), Count: count);
            })
            .ToList();
        var total = buckets.Count == 0 ? 0 : buckets[^1].Count;
        double At(double q) => buckets.FirstOrDefault(b => b.Count >= Math.Ceiling(q * total)).Le;
        return (At(0.5), At(0.99), total);
    }
}
