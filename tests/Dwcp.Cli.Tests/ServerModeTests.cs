using System.Net.Http.Json;
using System.Text.Json;
using Dwcp.Tests;

namespace Dwcp.Cli.Tests;

/// <summary>
/// DuckDB lets one process open a data folder. While `dwcp serve` runs on a folder, the other commands must go through
/// it over HTTP and give the same answers; bad input must not stop it.
/// </summary>
public sealed class ServerModeTests
{
    [Fact]
    public async Task Commands_go_through_the_running_server_and_it_survives_bad_input()
    {
        var data = RepoPaths.NewTempDir("dwcp-served");
        Assert.Equal(0, CliRunner.Run(null, "ingest", RepoPaths.FocusSample, "--data", data).ExitCode);
        var direct = CliRunner.Run(null, "cost", "--data", data, "--from", "2024-09-01", "--to", "2024-10-31", "--group-by", "provider", "--format", "csv");
        Assert.Equal(0, direct.ExitCode);

        using var server = CliRunner.Start(null, null, "serve", "--data", data, "--urls", "http://127.0.0.1:0");
        try
        {
            var serverFile = Path.Combine(data, "server.json");
            for (var i = 0; i < 600 && !File.Exists(serverFile); i++)
            {
                if (server.HasExited)
                {
                    Assert.Fail("the server exited: " + await server.StandardError.ReadToEndAsync());
                }

                await Task.Delay(100);
            }

            var url = JsonDocument.Parse(await File.ReadAllTextAsync(serverFile)).RootElement.GetProperty("url").GetString()!;
            Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);

            var viaServer = CliRunner.Run(null, "cost", "--data", data, "--from", "2024-09-01", "--to", "2024-10-31", "--group-by", "provider", "--format", "csv");
            Assert.True(viaServer.ExitCode == 0, viaServer.All);
            Assert.Equal(direct.Out, viaServer.Out);

            var again = CliRunner.Run(null, "ingest", RepoPaths.FocusSample, "--data", data);
            Assert.Equal(0, again.ExitCode);
            Assert.Contains("through " + url, again.Err, StringComparison.Ordinal);
            Assert.Contains("Nothing to do", again.Out, StringComparison.Ordinal);

            var dir = RepoPaths.NewTempDir("dwcp-served-bad");
            var binary = Path.Combine(dir, "binary.csv");
            await File.WriteAllBytesAsync(binary, Enumerable.Range(0, 4096).Select(i => (byte)(i % 251)).ToArray());
            var longLine = Path.Combine(dir, "one-line.csv");
            await using (var w = new StreamWriter(longLine))
            {
                var chunk = new string('x', 1 << 20);
                for (var i = 0; i < 100; i++)
                {
                    await w.WriteAsync(chunk);
                }
            }

            foreach (var bad in new[] { binary, longLine })
            {
                var r = CliRunner.Run(null, "ingest", bad, "--data", data);
                Assert.True(r.ExitCode == 1, r.All);
            }

            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var syntax = await http.PostAsJsonAsync("/graphql", new { query = "{ getCostMetrics(" });
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, syntax.StatusCode);
            var health = JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
            Assert.Equal("ok", health.GetProperty("status").GetString());
            Assert.Equal(1000, health.GetProperty("store").GetProperty("visibleRows").GetInt64());
            Assert.Equal(direct.Out, CliRunner.Run(null, "cost", "--data", data, "--from", "2024-09-01", "--to", "2024-10-31", "--group-by", "provider", "--format", "csv").Out);
        }
        finally
        {
            if (!server.HasExited)
            {
                // SIGTERM, as Ctrl+C or a service manager would stop it.
                using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                await server.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            }
        }

        Assert.False(File.Exists(Path.Combine(data, "server.json")), "server.json is removed when the server stops");
        Assert.Equal(0, CliRunner.Run(null, "cost", "--data", data, "--from", "2024-09-01", "--to", "2024-10-31").ExitCode);
    }
}
