using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dwcp.Anomalies.Costs;
using Dwcp.Cost.Anomalies;

namespace Dwcp.Cost.Tests.Anomalies;

public sealed class RootCauseAndWebhookTests
{
    private static CostDetailRow Row(string resource, decimal cost, string region = "eu-west-1") =>
        new() { Account = "A", Region = region, Sku = "SKU", Resource = resource, ChargeCategory = "Usage", PricingCategory = "Standard", Currency = "USD", Cost = cost };

    [Fact]
    public void Offsetting_changes_both_show_and_reconcile_to_the_cent()
    {
        // Baseline: two days of r1 = 100, r2 = 100, r3 = 100 (300 a day). Day: r1 +150, r2 −90, r3 unchanged = 360.
        CostDetailRow[] baseline = [Row("r1", 100), Row("r2", 100), Row("r3", 100), Row("r1", 100), Row("r2", 100), Row("r3", 100)];
        CostDetailRow[] day = [Row("r1", 250), Row("r2", 10), Row("r3", 100)];

        var result = AllocatedRootCause.Decompose(day, baseline, expected: 300m);

        var resources = result.ByDimension[CostDimensions.Resource].ToDictionary(c => c.Value);
        Assert.Equal(150m, resources["r1"].DollarDelta);
        Assert.Equal(-90m, resources["r2"].DollarDelta);
        Assert.Equal(0m, resources["r3"].DollarDelta);
        Assert.Equal(150.0 / 240, resources["r1"].Share, 12);
        Assert.Equal(("resource", "r1"), (result.Increases[0].Dimension, result.Increases[0].Value));
        Assert.Equal(("resource", "r2"), (result.Decreases[0].Dimension, result.Decreases[0].Value));
        Assert.Equal(60m, result.Delta);
    }

    [Fact]
    public void Expected_is_split_by_baseline_shares_with_the_rounding_on_the_largest_value()
    {
        // Baseline thirds; expected 100.00 splits as 33.33 + 33.33 + 33.34 (the remainder cent goes to the first largest).
        CostDetailRow[] baseline = [Row("a", 1), Row("b", 1), Row("c", 1)];
        CostDetailRow[] day = [Row("a", 40.004m), Row("b", 30.003m), Row("c", 30.003m)];

        var result = AllocatedRootCause.Decompose(day, baseline, expected: 100m);

        var list = result.ByDimension[CostDimensions.Resource].ToDictionary(c => c.Value);
        Assert.Equal(100m, list.Values.Sum(c => c.Expected));
        Assert.Equal([33.34m, 33.33m, 33.33m], new[] { list["a"].Expected, list["b"].Expected, list["c"].Expected });
        Assert.Equal(100.01m, result.Actual);
        Assert.Equal(result.Actual - 100m, list.Values.Sum(c => c.DollarDelta));
    }

    [Fact]
    public void A_resource_confined_change_is_driven_by_the_resource_and_a_regional_one_by_the_region()
    {
        CostDetailRow[] baseline = [Row("r1", 100), Row("r2", 100, "us-east-1"), Row("r3", 100, "us-east-1")];
        var resource = AllocatedRootCause.Decompose([Row("r1", 400), Row("r2", 100, "us-east-1"), Row("r3", 100, "us-east-1")], baseline, 300m);
        var region = AllocatedRootCause.Decompose([Row("r1", 100), Row("r2", 250, "us-east-1"), Row("r3", 250, "us-east-1")], baseline, 300m);

        Assert.Equal(CostDimensions.Resource, resource.Increases[0].Dimension);
        Assert.Equal((CostDimensions.Region, "us-east-1"), (region.Increases[0].Dimension, region.Increases[0].Value));
    }

    [Fact]
    public async Task Webhook_retries_with_backoff_until_the_receiver_accepts()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        listener.Start();
        var bodies = new List<string>();
        var server = Task.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                var ctx = await listener.GetContextAsync();
                using (var reader = new StreamReader(ctx.Request.InputStream))
                {
                    bodies.Add(await reader.ReadToEndAsync());
                }

                ctx.Response.StatusCode = i < 2 ? 503 : 200;
                ctx.Response.Close();
            }
        });

        using var http = new HttpClient();
        var hook = new AnomalyWebhook(new Uri($"http://127.0.0.1:{port}/hook/"), retries: 3, http, TimeSpan.FromMilliseconds(20));
        var attempts = await hook.SendAsync([Sample()]);
        await server;

        Assert.Equal(3, attempts);
        Assert.Equal(3, bodies.Count);
        Assert.All(bodies, b => Assert.Equal(bodies[0], b));
        using var doc = JsonDocument.Parse(bodies[0]);
        var a = doc.RootElement.GetProperty("anomalies")[0];
        Assert.Equal("ca1.test", a.GetProperty("id").GetString());
        Assert.Equal(2500.00m, a.GetProperty("actual_cost").GetDecimal());
        Assert.Equal("critical", a.GetProperty("severity").GetString());
        Assert.Equal("sku", a.GetProperty("root_causes")[0].GetProperty("dimension").GetString());
    }

    [Fact]
    public async Task Webhook_gives_up_after_its_retries_and_says_so()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var calls = 0;
        var server = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                var ctx = await listener.GetContextAsync();
                calls++;
                ctx.Response.StatusCode = 500;
                ctx.Response.Close();
            }
        });

        using var http = new HttpClient();
        var hook = new AnomalyWebhook(new Uri($"http://127.0.0.1:{port}/"), retries: 1, http, TimeSpan.FromMilliseconds(10));
        var ex = await Assert.ThrowsAsync<AnomalyWebhookException>(() => hook.SendAsync([Sample()]));
        await server;
        Assert.Equal(2, calls);
        Assert.Contains("failed 2 time(s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", ex.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static StoreCostAnomaly Sample() => new("ca1.test", "USD", new CostAnomaly
    {
        Timestamp = new DateTime(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc),
        Provider = "AWS",
        Service = "Amazon S3",
        ExpectedCost = 500.00m,
        ActualCost = 2500.00m,
        DeviationPercentage = 400,
        Severity = AnomalySeverity.Critical,
        RootCauses = [new CostContributor(CostDimensions.Sku, "DataTransfer-Out", 10m, 2010m, 2000m, 1, ContributorChange.Changed)],
        ProbableCauses = ["Unexpected data transfer charges"],
        RecommendedActions = ["Review S3 bucket policies"],
        Score = 0.99,
    }, [], new Dictionary<string, IReadOnlyList<CostContributor>>());
}
