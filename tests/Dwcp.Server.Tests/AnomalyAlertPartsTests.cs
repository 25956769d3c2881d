using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dwcp.Anomalies.Costs;
using Dwcp.Cost.Anomalies;
using Dwcp.Server.Graph;
using Dwcp.Streaming;
using Dwcp.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dwcp.Server.Tests;

/// <summary>The stream webhook against a real HTTP listener, and the published-ids file's error.</summary>
public sealed class AnomalyAlertPartsTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<int> _answers = new();
    private readonly List<string> _bodies = [];
    private readonly Uri _url;

    public AnomalyAlertPartsTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _url = new Uri($"http://127.0.0.1:{port}/stream/");
        _listener.Prefixes.Add(_url.ToString());
        _listener.Start();
        _ = ServeAsync();
    }

    public void Dispose() => _listener.Close();

    private static readonly StreamAnomaly Sample = new(
        "sa1.0123", "cpu_usage", new SeriesKey("usage", "", "aws", "eu-west-1", "ec2", "acct-a", ""),
        new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 2, 10, 1, 0, TimeSpan.Zero),
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), StreamAggregate.Avg, 150.5, 50, 201, 0.991, 0.009, AnomalySeverity.Critical);

    [Fact]
    public async Task The_stream_webhook_retries_a_503_and_posts_the_documented_shape_each_time()
    {
        _answers.Enqueue(503);
        _answers.Enqueue(200);
        using var http = new HttpClient();
        var hook = new StreamAnomalyWebhook(_url, 2, http, TimeSpan.FromMilliseconds(1), TimeProvider.System);

        Assert.Equal(2, await hook.SendAsync([Sample]));

        Assert.Equal(2, _bodies.Count);
        Assert.Equal(_bodies[0], _bodies[1]);
        using var doc = JsonDocument.Parse(_bodies[0]);
        var a = doc.RootElement.GetProperty("stream_anomalies").EnumerateArray().Single();
        Assert.Equal(("sa1.0123", "cpu_usage", "usage"), (a.GetProperty("id").GetString(), a.GetProperty("metric").GetString(), a.GetProperty("event_type").GetString()));
        Assert.Equal(("ec2", "acct-a"), (a.GetProperty("dimensions").GetProperty("service").GetString(), a.GetProperty("dimensions").GetProperty("account").GetString()));
        Assert.Equal(("2026-03-02T10:00:00.000Z", "2026-03-02T10:01:00.000Z", 60.0), (a.GetProperty("window_start").GetString(), a.GetProperty("window_end").GetString(), a.GetProperty("window_size_seconds").GetDouble()));
        Assert.Equal(("avg", 150.5, 50.0, 201.0, "critical"), (a.GetProperty("value_of").GetString(), a.GetProperty("value").GetDouble(), a.GetProperty("expected").GetDouble(), a.GetProperty("deviation_percentage").GetDouble(), a.GetProperty("severity").GetString()));
    }

    [Fact]
    public async Task A_4xx_is_final_and_the_error_names_the_url_and_status()
    {
        _answers.Enqueue(400);
        using var http = new HttpClient();
        var hook = new StreamAnomalyWebhook(_url, 3, http, TimeSpan.FromMilliseconds(1), TimeProvider.System);

        var ex = await Assert.ThrowsAsync<AnomalyWebhookException>(() => hook.SendAsync([Sample]));

        Assert.Contains(_url.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", ex.Message, StringComparison.Ordinal);
        Assert.Single(_bodies);
    }

    [Fact]
    public void A_broken_published_ids_file_is_refused_with_its_path_and_line()
    {
        var dir = RepoPaths.NewTempDir("dwcp-published");
        var path = Path.Combine(dir, PublishedAnomalyFeed.FileName);
        File.WriteAllText(path, "[\n  {\"id\": \"ca1.x\", \"published_at\": \"2026-01-01T00:00:00+00:00\"},\n  oops\n]");

        var ex = Assert.Throws<InvalidDataException>(() => new PublishedAnomalyFeed(dir, TimeProvider.System, new AnomalyAlertCounters(), NullLogger<PublishedAnomalyFeed>.Instance));

        Assert.Contains(path + " line 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix or delete the file", ex.Message, StringComparison.Ordinal);
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
                _bodies.Add(await reader.ReadToEndAsync());
            }

            context.Response.StatusCode = _answers.TryDequeue(out var status) ? status : 200;
            context.Response.Close();
        }
    }
}
