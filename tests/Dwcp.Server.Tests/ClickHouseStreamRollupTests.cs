using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dwcp.Storage.ClickHouse;
using Dwcp.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>
/// A server configured for ClickHouse keeps the engine's closed windows there: the rollup store is the ClickHouse one,
/// and <c>streamRollups</c> reads them back. Uses the server named by <c>CLICKHOUSE_TEST_URL</c> (test.sh starts one),
/// otherwise starts its own with tools/clickhouse/start.sh and stops it by PID.
/// </summary>
public sealed class ClickHouseStreamRollupTests : IAsyncLifetime
{
    private static readonly DateTimeOffset W1 = new(2026, 3, 2, 10, 20, 0, TimeSpan.Zero);
    private readonly string _database = "dwcp_srv_" + Guid.NewGuid().ToString("N")[..10];
    private readonly HttpClient _clickHouse = new();
    private string? _state;
    private string? _pid;
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("CLICKHOUSE_TEST_URL") is { Length: > 0 } url)
        {
            _url = new Uri(url);
            return;
        }

        _state = RepoPaths.NewTempDir("dwcp-server-ch");
        var http = FreePort();
        using var start = Process.Start(new ProcessStartInfo("bash",
            [RepoPaths.Of("tools", "clickhouse", "start.sh"), _state, http.ToString(CultureInfo.InvariantCulture), FreePort().ToString(CultureInfo.InvariantCulture)])
            { RedirectStandardOutput = true })!;
        _pid = (await start.StandardOutput.ReadToEndAsync()).Trim();
        await start.WaitForExitAsync();
        Assert.True(start.ExitCode == 0, "tools/clickhouse/start.sh failed; install ClickHouse with tools/clickhouse/install.sh");
        _url = new Uri($"http://127.0.0.1:{http}");
    }

    public async Task DisposeAsync()
    {
        try
        {
            await ClickHouseAsync($"DROP DATABASE IF EXISTS {_database}");
        }
        finally
        {
            _clickHouse.Dispose();
            if (_state is not null)
            {
                using var stop = Process.Start("bash", [RepoPaths.Of("tools", "clickhouse", "stop.sh"), _state, _pid ?? ""])!;
                await stop.WaitForExitAsync();
                Directory.Delete(_state, recursive: true);
            }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private async Task<string> ClickHouseAsync(string sql)
    {
        using var response = await _clickHouse.PostAsync(_url, new StringContent(sql));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text.Trim();
    }

    [Fact]
    public async Task Closed_windows_go_to_ClickHouse_and_streamRollups_reads_them_back()
    {
        var clock = new ManualClock(StreamHost.Now);
        var options = new DwcpServerOptions
        {
            DataDir = RepoPaths.NewTempDir("dwcp-server-ch-data"),
            WriteServerFile = false,
            ClickHouse = new ClickHouseStoreOptions { Urls = [_url], Database = _database },
        };
        await using var app = DwcpServer.Build(options, configure: b =>
        {
            b.WebHost.UseTestServer();
            b.Services.AddSingleton<TimeProvider>(clock);
        });
        await app.StartAsync();
        using var client = app.GetTestClient();
        app.Services.GetRequiredService<RealtimeEngineHost>().Engine.CreateCustomAggregation(
            """{"name":"busy","type":"threshold_count","window":"1m","metric":"cpu_usage","op":">","threshold":40}""");

        var cpu = new[] { 12.5, 80.25, 33.0, 47.75, 5.5, 61.0 };
        var lines = cpu.Select((v, i) => StreamHost.Event($"e{i}", W1.AddSeconds(5 + (8 * i)), new Dictionary<string, double> { ["cpu_usage"] = v }))
            .Append(StreamHost.Event("tick", W1.AddMinutes(1).AddSeconds(31), new Dictionary<string, double> { ["tick"] = 1 }, service: "clock"));
        using (var posted = await client.PostAsync("/api/v1/events", new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson")))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        JsonElement rows = default;
        for (var i = 0; i < 500; i++)
        {
            using var response = await client.PostAsJsonAsync("/graphql", new { query = """{ streamRollups(metric: "cpu_usage", windowSize: "1m") { windowStart service count sum min max avg last eventCount } }""" });
            var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            Assert.False(root.TryGetProperty("errors", out var errors), errors.ToString());
            rows = root.GetProperty("data").GetProperty("streamRollups");
            if (rows.GetArrayLength() > 0)
            {
                break;
            }

            await Task.Delay(20);
        }

        var row = Assert.Single(rows.EnumerateArray());
        Assert.Equal("2026-03-02T10:20:00.000Z", row.GetProperty("windowStart").GetString());
        Assert.Equal("ec2", row.GetProperty("service").GetString());
        Assert.Equal(cpu.Length, row.GetProperty("count").GetInt64());
        Assert.Equal(cpu.Length, row.GetProperty("eventCount").GetInt64());
        Assert.Equal(cpu.Sum(), row.GetProperty("sum").GetDouble());
        Assert.Equal(cpu.Min(), row.GetProperty("min").GetDouble());
        Assert.Equal(cpu.Max(), row.GetProperty("max").GetDouble());
        Assert.Equal(cpu.Average(), row.GetProperty("avg").GetDouble(), 12);
        Assert.Equal(cpu[^1], row.GetProperty("last").GetDouble());
        Assert.IsType<ClickHouseRollupStore>(app.Services.GetRequiredService<Dwcp.Storage.IRollupStore>());
        Assert.Equal("1", await ClickHouseAsync($"SELECT count() FROM {_database}.stream_rollups WHERE metric = 'cpu_usage'"));
        Assert.False(File.Exists(Path.Combine(options.DataDir, "dwcp.duckdb")), "A ClickHouse server must not open the DuckDB file.");

        // The custom aggregation went in the same append as the metric row, so it is visible already (no polling).
        using var custom = await client.PostAsJsonAsync("/graphql", new { query = """{ streamAggregationRollups(name: "busy", windowSize: "1m") { service type value partial eventCount } }""" });
        var busy = Assert.Single(JsonDocument.Parse(await custom.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("streamAggregationRollups").EnumerateArray());
        Assert.Equal(("ec2", "threshold_count", (double)cpu.Count(v => v > 40), false, (long)cpu.Length),
            (busy.GetProperty("service").GetString(), busy.GetProperty("type").GetString(), busy.GetProperty("value").GetDouble(), busy.GetProperty("partial").GetBoolean(), busy.GetProperty("eventCount").GetInt64()));
        Assert.Equal("1", await ClickHouseAsync($"SELECT count() FROM {_database}.stream_custom_rollups WHERE name = 'busy'"));
    }
}
