using System.Net.Http.Json;
using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Cost;
using Dwcp.Storage;
using Dwcp.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>The real ASP.NET host in-process over a real DuckDB file in a temporary folder.</summary>
public sealed class DwcpFactory : WebApplicationFactory<Program>
{
    public DwcpFactory(CostScope? scope = null, CostQueryOptions? query = null, Func<ICostStore, ICostStore>? wrapStore = null)
    {
        DataDir = RepoPaths.NewTempDir("dwcp-server");
        Scope = scope;
        Query = query;
        WrapStore = wrapStore;
    }

    public Func<ICostStore, ICostStore>? WrapStore { get; }

    public string DataDir { get; }

    public CostScope? Scope { get; }

    public CostQueryOptions? Query { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting(DwcpServer.DataDirSetting, DataDir);
        builder.ConfigureTestServices(s =>
        {
            if (Scope is not null)
            {
                // The scope comes from server configuration; tests set it the same way the CLI does.
                s.AddSingleton<ICallerScope>(new ConfiguredCallerScope(Scope));
            }

            if (WrapStore is not null)
            {
                s.AddSingleton(sp => WrapStore(Dwcp.Storage.DuckDb.DuckDbCostStore.Open(DataDir)));
            }

            if (Query is not null)
            {
                s.AddSingleton(sp => new CostQueryService(sp.GetRequiredService<ICostStore>(), Query));
            }
        });
    }

    public async Task LoadAsync(IEnumerable<FocusRow> rows)
    {
        var store = Services.GetRequiredService<ICostStore>();
        await using var s = await store.BeginLoadAsync(new LoadRequest("test"));
        foreach (var r in rows)
        {
            s.Append(r);
        }

        await s.CommitAsync();
    }

    public async Task<JsonElement> GraphQLAsync(string query, object? variables = null, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/graphql", new { query, variables });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"HTTP {(int)response.StatusCode}, expected {(int)expected}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
