using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dwcp.Core.Focus;
using Dwcp.Cost.Anomalies;
using Dwcp.Ingest;
using Dwcp.Server.Graph;
using Dwcp.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>
/// Cost alerts end to end: a FOCUS file with an injected spike imported through POST /api/v1/ingest reaches the
/// <c>anomalyDetected</c> subscription and a real HTTP listener (the webhook) with the same ids; after a restart over the
/// same data folder the check finds the spike again but nothing is sent again.
/// </summary>
public sealed class CostAnomalyAlertTests : IDisposable
{
    private static readonly DateOnly Start = new(2024, 1, 1);
    private static readonly DateOnly SpikeDay = Start.AddDays(80);
    private readonly string _dataDir = RepoPaths.NewTempDir("dwcp-alerts");
    private readonly HttpListener _listener = new();
    private readonly List<string> _bodies = [];
    private readonly SemaphoreSlim _received = new(0);
    private readonly Uri _hook;

    public CostAnomalyAlertTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _hook = new Uri($"http://127.0.0.1:{port}/hook/");
        _listener.Prefixes.Add(_hook.ToString());
        _listener.Start();
        _ = ServeAsync();
    }

    public void Dispose()
    {
        _listener.Close();
        _received.Dispose();
    }

    [Fact]
    public async Task An_imported_spike_reaches_the_subscription_and_the_webhook_once_and_a_restart_does_not_send_it_again()
    {
        var (file, daily) = WriteBillingFile();
        var spikeIds = new List<string>();
        using (var server = new AlertFactory(_dataDir, _hook))
        {
            var monitorChecks = server.Services.GetRequiredService<AnomalyAlertCounters>();
            await StreamAnomalyAlertTests.WaitUntilAsync(() => monitorChecks.CostChecks >= 1, "the start-up check (empty store)");
            Assert.Equal(0, monitorChecks.CostPublished);

            await using var ws = await ConnectAsync(server);
            await ws.SubscribeAsync("c", "subscription { anomalyDetected { id timestamp providerName service currency expectedCost actualCost severity } }");
            var subscriptions = server.Services.GetRequiredService<AnomalySubscriptionCounter>();
            await StreamAnomalyAlertTests.WaitUntilAsync(() => subscriptions.Active == 1, "the subscription to open");

            using var client = server.CreateClient();
            using var response = await client.PostAsJsonAsync("/api/v1/ingest", new { paths = new[] { file }, skipInvalidRows = false });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

            // The webhook gets one POST with every new anomaly, largest impact first; the subscription gets the same ids in order.
            Assert.True(await _received.WaitAsync(TimeSpan.FromSeconds(60)), "The webhook received nothing.");
            using var body = JsonDocument.Parse(_bodies[0]);
            var posted = body.RootElement.GetProperty("anomalies").EnumerateArray().ToList();
            Assert.NotEmpty(posted);
            foreach (var p in posted)
            {
                var next = await ws.ReceiveAsync();
                Assert.True(next.GetProperty("type").GetString() == "next", next.ToString());
                var a = next.GetProperty("payload").GetProperty("data").GetProperty("anomalyDetected");
                Assert.Equal(p.GetProperty("id").GetString(), a.GetProperty("id").GetString());
                spikeIds.Add(a.GetProperty("id").GetString()!);
                if (spikeIds.Count == 1)
                {
                    // The spike: its actual is the day's sum in the file; its expected lies within the normal days' range.
                    var normal = daily.Where(kv => kv.Key != SpikeDay).Select(kv => kv.Value).ToList();
                    Assert.Equal(SpikeDay.ToString("yyyy-MM-dd"), a.GetProperty("timestamp").GetString());
                    Assert.Equal(("AWS", "Amazon S3", "USD"), (a.GetProperty("providerName").GetString(), a.GetProperty("service").GetString(), a.GetProperty("currency").GetString()));
                    Assert.Equal(daily[SpikeDay], a.GetProperty("actualCost").GetDecimal());
                    Assert.InRange(a.GetProperty("expectedCost").GetDecimal(), normal.Min(), normal.Max());
                    Assert.Equal("high", a.GetProperty("severity").GetString()); // impact ≈ $1,200 (≥ 1,000) and deviation ≈ 285% (≥ 25%)
                    Assert.Equal(a.GetProperty("actualCost").GetDecimal(), p.GetProperty("actual_cost").GetDecimal());
                }
            }

            Assert.Equal(posted.Count, server.Services.GetRequiredService<AnomalyAlertCounters>().CostPublished);
            var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Contains($"dwcp_anomalies_published_total {posted.Count}\n", metrics, StringComparison.Ordinal);
        }

        var published = await File.ReadAllTextAsync(Path.Combine(_dataDir, PublishedAnomalyFeed.FileName));
        Assert.All(spikeIds, id => Assert.Contains(id, published, StringComparison.Ordinal));

        using (var restarted = new AlertFactory(_dataDir, _hook))
        {
            var counters = restarted.Services.GetRequiredService<AnomalyAlertCounters>();
            await StreamAnomalyAlertTests.WaitUntilAsync(() => counters.CostChecks >= 1, "the start-up check after the restart");

            // Detection still finds the spike (a query publishes through the same feed), yet nothing is published or POSTed again.
            var found = await GraphQLAsync(restarted, "{ detectAnomalies { id } }");
            Assert.Contains(spikeIds[0], found.GetProperty("detectAnomalies").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
            Assert.Equal(0, counters.CostPublished);
            Assert.Equal(0, counters.CostCheckFailures);
        }

        Assert.False(await _received.WaitAsync(TimeSpan.FromMilliseconds(300)), "The webhook received a second POST: " + string.Join("\n", _bodies.Skip(1)));
        Assert.Single(_bodies);
    }

    /// <summary>90 days of S3 in two regions (seeded noise) with a $1,200 spike in us-east-1 on day 80, as a FOCUS CSV.</summary>
    private (string File, Dictionary<DateOnly, decimal> Daily) WriteBillingFile()
    {
        var rng = new Random(5);
        var rows = new List<FocusRow>();
        var daily = new Dictionary<DateOnly, decimal>();
        for (var t = 0; t < 90; t++)
        {
            var day = Start.AddDays(t);
            foreach (var (region, bucket) in new[] { ("us-east-1", "b1"), ("us-east-1", "b2"), ("eu-west-1", "b3"), ("eu-west-1", "b4") })
            {
                var cost = Math.Round(100m + (decimal)(rng.NextDouble() * 10), 2) + (day == SpikeDay && region == "us-east-1" ? 600m : 0m);
                rows.Add(TestRows.Make("acct", day, "Amazon S3", cost, region: region, resource: bucket));
                daily[day] = daily.GetValueOrDefault(day) + cost;
            }
        }

        var path = Path.Combine(RepoPaths.NewTempDir("dwcp-alerts-in"), "focus.csv");
        using (var writer = new FocusCsvWriter(path))
        {
            writer.WriteAll(rows);
        }

        return (path, daily);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                var text = await reader.ReadToEndAsync();
                lock (_bodies)
                {
                    _bodies.Add(text);
                }
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
            _received.Release();
        }
    }

    private static async Task<GqlSocket> ConnectAsync(WebApplicationFactory<Program> factory)
    {
        var client = factory.Server.CreateWebSocketClient();
        client.SubProtocols.Add("graphql-transport-ws");
        var socket = new GqlSocket(await client.ConnectAsync(new Uri("ws://localhost/graphql"), CancellationToken.None));
        await socket.SendAsync(new { type = "connection_init" });
        Assert.Equal("connection_ack", (await socket.ReceiveAsync()).GetProperty("type").GetString());
        return socket;
    }

    private static async Task<JsonElement> GraphQLAsync(WebApplicationFactory<Program> factory, string query)
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/graphql", new { query });
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.False(root.TryGetProperty("errors", out var errors), errors.ToString());
        return root.GetProperty("data");
    }

    /// <summary>The real host over a given data folder, with the webhook pointed at the test's listener and no timer checks.</summary>
    private sealed class AlertFactory(string dataDir, Uri hook) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting(DwcpServer.DataDirSetting, dataDir);
            builder.ConfigureTestServices(s => s.AddSingleton(new AnomalyAlertOptions { WebhookUrl = hook, WebhookRetries = 0, CheckInterval = TimeSpan.Zero }));
        }
    }
}
