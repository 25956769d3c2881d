using System.Net.Http.Json;
using System.Text.Json;
using Dwcp.Demo;
using Dwcp.Server;
using Dwcp.Storage;
using Dwcp.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dwcp.Web.Tests;

/// <summary>
/// One real DWCP server (in-process, Kestrel on a free 127.0.0.1 port, DuckDB in a temporary folder) loaded with
/// demo data, and one headless Chromium driven by Playwright, shared by the tests of a class.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>First and last day of the generated demo window. The data ends mid-month, so the default range is October.</summary>
    public static readonly DateOnly DataFrom = new(2024, 8, 1);

    public static readonly DateOnly DataTo = new(2024, 11, 20);

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private WebApplication? _app;
    private IPlaywright? _playwright;

    public string DataDir { get; } = RepoPaths.NewTempDir("dwcp-web");

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public CostExpectations Expected { get; private set; } = null!;

    /// <summary>The Chromium binary: <c>$CHROMIUM_BIN</c> when set, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("CHROMIUM_BIN") is { Length: > 0 } bin ? bin : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync(); // a half-started fixture still stops its server and deletes its folder
            throw;
        }
    }

    private async Task StartAsync()
    {
        // The build copies the dashboard (src/Dwcp.Server/wwwroot) next to the binaries; fall back to the source folder.
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!File.Exists(Path.Combine(webRoot, "index.html")))
        {
            webRoot = RepoPaths.Of("src", "Dwcp.Server", "wwwroot");
        }

        Assert.True(File.Exists(Path.Combine(webRoot, "index.html")), $"The dashboard is not built: no index.html in {webRoot}.");

        _app = DwcpServer.Build(new DwcpServerOptions
        {
            DataDir = DataDir,
            Urls = "http://127.0.0.1:0",
            WriteServerFile = false,
            WebRoot = webRoot,
        });
        await _app.StartAsync();
        BaseUrl = _app.Urls.Single().TrimEnd('/');
        Assert.StartsWith("http://127.0.0.1:", BaseUrl, StringComparison.Ordinal);

        Expected = new CostExpectations(await LoadDemoDataAsync(_app.Services.GetRequiredService<ICostStore>()));

        Assert.True(File.Exists(ChromiumPath),
            $"No Chromium at {ChromiumPath}. Install Debian's (apt-get install -y chromium) or set CHROMIUM_BIN to a Chromium binary.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task DisposeAsync()
    {
        // Idempotent: also called by InitializeAsync when start-up fails.
        if (Browser is { } browser)
        {
            Browser = null!;
            await browser.CloseAsync();
        }

        _playwright?.Dispose();
        _playwright = null;
        Http.Dispose();
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync(); // disposes the DuckDB store
        }

        try
        {
            if (Directory.Exists(DataDir))
            {
                Directory.Delete(DataDir, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail the run.
        }
    }

    /// <summary>A fresh browser context (1440×900, en-US, UTC) for one test; dispose it at the end of the test.</summary>
    public Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        Locale = "en-US",
        TimezoneId = "UTC",
    });

    /// <summary>Posts a GraphQL query to the running server and returns the whole response document.</summary>
    public async Task<JsonElement> GraphQLAsync(string query, object? variables = null)
    {
        using var response = await Http.PostAsJsonAsync(BaseUrl + "/graphql", new { query, variables });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"HTTP {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static async Task<IReadOnlyList<LoadedCost>> LoadDemoDataAsync(ICostStore store)
    {
        var generator = new DemoDataGenerator(new DemoOptions { Seed = 42, From = DataFrom, To = DataTo });
        var loaded = new List<LoadedCost>();
        await using (var session = await store.BeginLoadAsync(new LoadRequest("web tests: demo data")))
        {
            foreach (var row in generator.GenerateRows())
            {
                session.Append(row);
                loaded.Add(LoadedCost.Of(row));
            }

            await session.CommitAsync();
        }

        // Preconditions of the tests (checked here so a change of the demo data fails loudly, not obscurely).
        Assert.NotEmpty(loaded);
        Assert.All(loaded, r => Assert.Equal("USD", r.Currency));
        // The store keeps DECIMAL(38,15): with at most 15 decimals the sums in the test are exact.
        Assert.All(loaded, r => Assert.True(r.Billed.Scale <= 15, $"Billed cost {r.Billed} has more than 15 decimals."));
        var providers = loaded.Select(r => r.Provider).Distinct().ToHashSet();
        Assert.Superset(new HashSet<string?> { "AWS", "Microsoft", "Google Cloud" }, providers);
        return loaded;
    }
}
